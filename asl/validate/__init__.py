"""Validate a state machine definition: the ASL JSON Schema plus semantic rules, as Diagnostics.

`validate(document)` for a loaded file (positions filled in, sorted by position; CloudFormation
and SAM templates validate every inline machine), `validate_definition(data)` for plain data.
Validation never raises on user input and never imports or runs anything a definition names.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..loader import Document
from .cfn import find_machines, is_template
from .context import Context
from .schema import check_schema

__all__ = ["validate", "validate_definition", "has_errors"]


def validate_definition(data: Any, source_map: Any = None, errors_only: bool = False) -> list[Diagnostic]:
    """Every problem of one state machine definition (pointers relative to it, no positions).

    errors_only: leave out the rules that can only warn (the result may still hold warnings).
    """
    if data is None or data == "":
        return [Diagnostic("MISSING_DESCRIPTION", "The definition is empty", "")]
    if not isinstance(data, dict):
        return [Diagnostic("SCHEMA_VALIDATION_FAILED", "A state machine definition must be a JSON object", "")]
    from .rules import RULES, too_deep  # imported here: the CLI's start-up only pays when validating

    ctx = Context(data, source_map)  # walked iteratively: safe at any depth
    # The schema check recurses with the document: past the nesting bound it is skipped (the
    # too_deeply_nested rule reports why), and any other document too deep for it is reported.
    found = [] if too_deep(ctx) else _schema(data)
    for rule in RULES:
        if errors_only and getattr(rule, "warns_only", False):
            continue
        try:
            found.extend(rule(ctx))
        except Exception as exc:  # a rule bug must not turn into a traceback or a false verdict
            found.append(Diagnostic("VALIDATOR_ERROR", f"rule {rule.__name__} failed: {exc!r}", "", WARNING))
    return _dedupe(found)


def _schema(data: Any) -> list[Diagnostic]:
    try:
        return list(check_schema(data))
    except RecursionError:
        return [Diagnostic("TOO_DEEPLY_NESTED", "The definition nests too deeply to be checked", "")]


def validate(document: Document, text: str | None = None, errors_only: bool = False) -> list[Diagnostic]:
    """Every problem of a loaded file, with line:column, sorted by position (only the ERRORs if errors_only).

    A CloudFormation / SAM template validates each inline state machine, with pointers and
    positions in the template. Given the file's JSON `text`, a valid file never pays for
    building its source map (duplicate member names are detected by the C parser instead).
    """
    data = document.data
    source_map = document.source_map
    if document.duplicate_free or (text is not None and not document.file.endswith((".yaml", ".yml"))
                                   and not _json_has_duplicates(text)):
        source_map = _NO_DUPLICATES  # the loader's parse (or one here) saw no repeated member name
    if is_template(data):
        found: list[Diagnostic] = []
        machines = list(find_machines(data))
        if not machines:
            found.append(Diagnostic("NO_STATE_MACHINE", "The template has no AWS::StepFunctions::StateMachine "
                                                        "or AWS::Serverless::StateMachine with an inline definition",
                                    "/Resources", WARNING))
        places = _template_positions(document, text, machines)
        for machine in machines:
            if machine.problem:
                at = (places.at_offset(machine, machine.problem_offset)
                      if places and machine.problem_offset is not None else None)
                found.append(Diagnostic(machine.problem[0], machine.problem[1], machine.pointer,
                                        machine.problem[2], at))
                continue
            # Duplicate keys are looked up in the template's own source map, under the machine.
            inner = validate_definition(machine.definition, _Scoped(source_map, machine.pointer)
                                        if machine.inline else None, errors_only)
            found.extend(_relocate(d, machine, places) for d in inner)
    else:
        found = validate_definition(data, source_map, errors_only)
    if errors_only:  # a run reports errors only: warnings never cost a source map
        found = [d for d in found if d.severity == ERROR]
    return _positioned(found, document)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    """Whether any diagnostic is an ERROR (warnings alone leave a definition valid)."""
    return any(d.severity == ERROR for d in diagnostics)


class _NoDuplicates:
    """Stands in for a source map when the file is known to repeat no member name."""

    def duplicate_keys(self) -> list[str]:
        return []


_NO_DUPLICATES = _NoDuplicates()


def _json_has_duplicates(text: str) -> bool:
    """Whether any JSON object in `text` repeats a member name (one C-speed parse)."""
    import json

    found = False

    def hook(pairs: list) -> dict:
        nonlocal found
        if not found and len({k for k, _ in pairs}) != len(pairs):
            found = True
        return {}

    try:
        json.loads(text, object_pairs_hook=hook)
    except ValueError:
        return True  # let the source map decide
    return found


class _Scoped:
    """A view of a template's source map holding only the duplicate keys under one machine."""

    def __init__(self, source_map: Any, prefix: str) -> None:
        self._map, self._prefix = source_map, prefix

    def duplicate_keys(self) -> list[str]:
        prefix = self._prefix
        return [p[len(prefix):] for p in self._map.duplicate_keys() if p.startswith(prefix + "/")]


def _template_positions(document: Document, text: str | None, machines: list) -> Any:
    """Positions inside DefinitionStrings, when the file's text is at hand and any machine needs them."""
    if text is None or not any(m.pieces for m in machines):
        return None
    from .embedded import TemplatePositions

    return TemplatePositions(text, document.source_map, document.file.endswith((".yaml", ".yml")))


def _relocate(d: Diagnostic, machine: Any, places: Any) -> Diagnostic:
    # An inline Definition maps pointer for pointer; a DefinitionString is one string in the
    # template, so its problems point at that string and name the inner pointer in the message.
    # Their line:column is the real one inside the string where that mapping is exact.
    if machine.inline:
        return Diagnostic(d.code, d.message, machine.pointer + d.pointer, d.severity)
    where = f" (at {d.pointer} in the definition string)" if d.pointer else ""
    at = places.at_pointer(machine, d.pointer) if places else None
    return Diagnostic(d.code, d.message + where, machine.pointer, d.severity, at)


def _positioned(found: list[Diagnostic], document: Document) -> list[Diagnostic]:
    source_map = document.source_map
    out = []
    for d in found:
        position = d.position   # already placed inside a DefinitionString
        if position is None and source_map is not None:
            try:
                position = source_map.key(d.pointer) if d.pointer else source_map.value("")
            except Exception:  # positions are a convenience: never fail validation over them
                position = None
        out.append(Diagnostic(d.code, d.message, d.pointer, d.severity, position))
    out.sort(key=lambda d: (d.position.line if d.position else 0, d.position.column if d.position else 0))
    return out


def _dedupe(found: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in found:
        key = (d.code, d.pointer, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out

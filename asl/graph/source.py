"""Where a graph's definition comes from: a definition file, or one machine of a CloudFormation / SAM template."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import ERROR
from ..errors import DefinitionError, Location, UserInputError
from ..loader import Document, load_text, read_text


def load_definition(path: str, machine: str | None = None) -> tuple[str, dict]:
    """(name, definition) of a validated JSON / YAML definition or template machine; raises SfnError.

    The name is the file's stem without `.asl` (as `sfn run` names machines), or the template's
    logical resource id. `machine` picks one resource of a template that holds several.
    """
    text = read_text(path)
    return definition_from_text(text, path, machine)


def definition_from_text(text: str, path: str, machine: str | None = None) -> tuple[str, dict]:
    """As `load_definition`, from text already read (a stored execution's definition)."""
    from ..validate import validate
    from ..validate.cfn import find_machines, is_template

    document = _document(text, path)
    errors = [d for d in validate(document, text) if d.severity == ERROR]
    if errors:
        raise DefinitionError(path, errors)
    if not is_template(document.data):
        if machine is not None:
            raise UserInputError("--machine picks a state machine of a CloudFormation / SAM template; "
                                 "this file is a definition", Location(path))
        return Path(path).stem.removesuffix(".asl"), document.data
    found = {m.pointer.split("/")[2].replace("~1", "/").replace("~0", "~"): m
             for m in find_machines(document.data) if m.problem is None}
    if not found:
        raise UserInputError("the template has no state machine with an inline definition", Location(path))
    if machine is None:
        if len(found) > 1:
            raise UserInputError(f"the template has {len(found)} state machines ({', '.join(found)}): "
                                 "pick one with --machine NAME", Location(path))
        machine = next(iter(found))
    if machine not in found:
        raise UserInputError(f"no state machine '{machine}' with an inline definition in the template "
                             f"(it has {', '.join(found)})", Location(path))
    return machine, found[machine].definition


def _document(text: str, path: str) -> Document:
    if not text.strip():
        raise UserInputError("the file is empty: no state machine definition", Location(path))
    try:
        return load_text(text, path)
    except UserInputError as exc:
        # CloudFormation YAML's short-form tags (!Sub, !GetAtt) need the template loader.
        if "could not determine a constructor for the tag '!" not in exc.message:
            raise
        from ..validate.cfn_yaml import load_template

        document = load_template(text, path)
        if document is None:
            raise
        return document

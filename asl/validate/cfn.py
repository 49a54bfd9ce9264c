"""CloudFormation / SAM templates: find each state machine's inline definition.

`AWS::StepFunctions::StateMachine` (Definition or DefinitionString) and
`AWS::Serverless::StateMachine` (Definition). DefinitionSubstitutions whose values are plain
strings are applied first, as CloudFormation does before Step Functions sees the definition.
A DefinitionString (plain, `Fn::Sub`, or `Fn::Join` of plain strings) keeps its text and the
pieces of it copied unchanged from template strings, so `embedded` can place diagnostics inside it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from ..record import record
from ..diagnostics import WARNING
from ..loader import value_error_text
from ..source import escape_pointer_token

MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
_PLACEHOLDER = r"\$\{([^}!]+)\}"


@record(frozen=True)
class Piece:
    """Characters [start, end) of a definition text, copied unchanged from one template string."""

    start: int
    end: int
    pointer: str     # the template string they come from
    value: str       # that string, as loaded


@record
class Machine:
    """One state machine of a template: its definition, and where it sits in the template."""

    pointer: str
    definition: Any = None
    inline: bool = True                            # pointers inside map 1:1 onto the template
    problem: tuple[str, str, str] | None = None    # (code, message, severity) when not checkable
    text: str | None = None                        # a DefinitionString's JSON text, substituted
    pieces: tuple[Piece, ...] = ()                 # where that text's characters come from
    problem_offset: int | None = None              # where in `text` the problem is, when known


def is_template(data: Any) -> bool:
    """Whether a document is a CloudFormation / SAM template rather than a definition."""
    return (isinstance(data, dict) and isinstance(data.get("Resources"), dict)
            and "States" not in data and "StartAt" not in data)


def find_machines(template: dict) -> Iterator[Machine]:
    """Every state machine resource of the template, in document order."""
    for name, resource in template["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") not in MACHINE_TYPES:
            continue
        base = "/Resources/" + escape_pointer_token(name) + "/Properties"
        props = resource.get("Properties")
        if not isinstance(props, dict):
            continue
        subs = props.get("DefinitionSubstitutions")
        if subs is not None and not isinstance(subs, dict):
            yield Machine(base + "/DefinitionSubstitutions", problem=(
                "SCHEMA_VALIDATION_FAILED", "DefinitionSubstitutions must be a mapping of names to values", "ERROR"))
            continue
        subs = {k: v for k, v in subs.items() if isinstance(v, str)} if isinstance(subs, dict) else {}
        if "Definition" in props:
            yield Machine(base + "/Definition", _substitute(props["Definition"], subs))
        elif "DefinitionString" in props:
            yield _from_string(props["DefinitionString"], base + "/DefinitionString", subs)
        elif "DefinitionUri" in props or "DefinitionS3Location" in props:
            field = "DefinitionUri" if "DefinitionUri" in props else "DefinitionS3Location"
            yield Machine(base + "/" + field, problem=(
                "EXTERNAL_DEFINITION", f"{name}: the definition lives in another file ({field}); "
                                       "validate that file directly", WARNING))


def _from_string(value: Any, ptr: str, subs: dict[str, str]) -> Machine:
    pieces: list[Piece] = []
    if not isinstance(value, (str, dict)):
        # Only text or an intrinsic function builds a string; CloudFormation refuses anything else.
        kind = "a list" if isinstance(value, list) else "null" if value is None else "a number or boolean"
        return Machine(ptr, problem=("SCHEMA_VALIDATION_FAILED", f"DefinitionString must be a string (or an "
                                     f"intrinsic function that builds one), not {kind}", "ERROR"))
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        ptr += "/Fn::Sub"
        node = ptr + "/0" if isinstance(inner, list) else ptr
        value = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(value, str):
            pieces.append(Piece(0, len(value), node, value))
    elif isinstance(value, dict) and len(value) == 1 and "Fn::Join" in value:
        ptr += "/Fn::Join"
        value = _join(value["Fn::Join"], ptr, pieces)
    elif isinstance(value, str):
        pieces.append(Piece(0, len(value), ptr, value))
    if not isinstance(value, str):
        return Machine(ptr, problem=("UNRESOLVED_DEFINITION", "DefinitionString is built by an intrinsic "
                                     "function sfn cannot evaluate; it was not validated", WARNING))
    text = _substitute(value, subs)
    pieces = _clip(pieces, _first_shift(value, subs))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Machine(ptr, problem=("INVALID_JSON_DESCRIPTION",
                                     f"DefinitionString is not valid JSON: {exc.msg} (line {exc.lineno} "
                                     f"column {exc.colno} of the string)", "ERROR"),
                       text=text, pieces=tuple(pieces), problem_offset=exc.pos)
    except RecursionError:
        return Machine(ptr, problem=("TOO_DEEPLY_NESTED", "DefinitionString nests too deeply to be read",
                                     "ERROR"))
    except ValueError as exc:  # an integer of more digits than Python converts
        return Machine(ptr, problem=("INVALID_JSON_DESCRIPTION",
                                     f"DefinitionString is not valid JSON: {value_error_text(exc)}", "ERROR"))
    return Machine(ptr, data, inline=False, text=text, pieces=tuple(pieces))


def _join(args: Any, ptr: str, pieces: list[Piece]) -> str | None:
    """`Fn::Join` of plain strings, as CloudFormation evaluates it; None when a part is an intrinsic."""
    if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str)
            and isinstance(args[1], list) and all(isinstance(p, str) for p in args[1])):
        return None
    at = 0
    for i, part in enumerate(args[1]):
        if i:
            at += len(args[0])   # the delimiter is one string for all joints: left unmapped
        pieces.append(Piece(at, at + len(part), f"{ptr}/1/{i}", part))
        at += len(part)
    return args[0].join(args[1])


def _first_shift(text: str, subs: dict[str, str]) -> int:
    """Offset of the first substitution that changes the text's length (len(text) when none does)."""
    for m in re.finditer(_PLACEHOLDER, text):
        if m.group(1) in subs and len(subs[m.group(1)]) != len(m.group(0)):
            return m.start()
    return len(text)


def _clip(pieces: list[Piece], end: int) -> list[Piece]:
    # Past `end` the substituted text no longer lines up with the template: those offsets fall back.
    return [Piece(p.start, min(p.end, end), p.pointer, p.value) for p in pieces if p.start < end]


def _substitute(value: Any, subs: dict[str, str]) -> Any:
    if not subs:
        return value
    if isinstance(value, str):
        return re.sub(_PLACEHOLDER, lambda m: subs.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _substitute(v, subs) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, subs) for v in value]
    return value

"""CloudFormation / SAM templates: find each state machine's inline definition.

`AWS::StepFunctions::StateMachine` (Definition or DefinitionString) and
`AWS::Serverless::StateMachine` (Definition). DefinitionSubstitutions whose values are plain
strings are applied first, as CloudFormation does before Step Functions sees the definition.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..diagnostics import WARNING
from ..source import escape_pointer_token

MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
_PLACEHOLDER = re.compile(r"\$\{([^}!]+)\}")


@dataclass
class Machine:
    """One state machine of a template: its definition, and where it sits in the template."""

    pointer: str
    definition: Any = None
    inline: bool = True                            # pointers inside map 1:1 onto the template
    problem: tuple[str, str, str] | None = None    # (code, message, severity) when not checkable


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
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        value = inner[0] if isinstance(inner, list) and inner else inner
        ptr += "/Fn::Sub"
    if not isinstance(value, str):
        return Machine(ptr, problem=("UNRESOLVED_DEFINITION", "DefinitionString is built by an intrinsic "
                                     "function sfn cannot evaluate; it was not validated", WARNING))
    try:
        data = json.loads(_substitute(value, subs))
    except json.JSONDecodeError as exc:
        return Machine(ptr, problem=("INVALID_JSON_DESCRIPTION",
                                     f"DefinitionString is not valid JSON: {exc.msg} (line {exc.lineno} "
                                     f"column {exc.colno} of the string)", "ERROR"))
    return Machine(ptr, data, inline=False)


def _substitute(value: Any, subs: dict[str, str]) -> Any:
    if not subs:
        return value
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: subs.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _substitute(v, subs) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, subs) for v in value]
    return value

"""Run a state machine from a CloudFormation / SAM template: pick it, resolve its substitutions, load it.

`load_runnable(path)` is what `sfn run` runs: a definition file as it is, or one state machine of a
template (`--state-machine ID` when there are several), with `DefinitionSubstitutions` resolved
from the given parameters, the template's `Parameters` defaults and the pseudo parameters, and a
`DefinitionUri` / `DefinitionS3Location` followed to a local file. Finding the definition, and
its positions inside a `DefinitionString`, is `asl.validate.cfn` / `embedded`'s; this module only
chooses and resolves. Every problem is a UserInputError at its place in the template.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .record import record
from .aws import ACCOUNT, PARTITION, REGION
from .definition import compile_document
from .diagnostics import ERROR, Diagnostic
from .errors import DefinitionError, Location, UserInputError
from .loader import DEFINITION_LIMIT, Document, load_text, read_text
from .model import StateMachine, build_machine
from .model.build import BuildError
from .source import Position, escape_pointer_token
from .validate.cfn import MACHINE_TYPES, find_machines, is_template

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of a run's start
    from pathlib import Path

_VARIABLE = r"\$\{([^}!]+)\}"   # ${Name} in Fn::Sub (${!Literal} is not one)
_PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": PARTITION,
           "AWS::URLSuffix": "amazonaws.com"}


@record
class Runnable:
    """What `sfn run` runs: the machine, the document its states' pointers are placed in, its name and text."""

    document: Document
    machine: StateMachine
    name: str | None          # a template's machine: StateMachineName, else its logical id
    text: str                 # the definition as JSON text (what the store keeps)


def load_document(path: str | Path) -> tuple[Document, str]:
    """A JSON or YAML file, CloudFormation's short-form tags (!Sub, !Ref ...) included, and its text."""
    text = read_text(path, DEFINITION_LIMIT)
    try:
        return load_text(text, str(path)), text
    except UserInputError as exc:
        if "could not determine a constructor for the tag '!" not in exc.message:
            raise
        from .validate.cfn_yaml import load_template

        document = load_template(text, str(path))
        if document is None:
            raise
        return document, text


def load_runnable(path: str | Path, *, validate: bool = True, state_machine: str | None = None,
                  parameters: dict[str, str] | None = None) -> Runnable:
    """A definition file, or one state machine of a template, loaded, checked and built."""
    document, text = load_document(path)
    if not is_template(document.data):
        if state_machine is not None or parameters:
            raise UserInputError("--state-machine and --parameter apply to CloudFormation / SAM templates; "
                                 "this is a state machine definition", Location(document.file))
        return Runnable(document, compile_document(document, validate, text), None, text)
    return _Template(document, text, parameters or {}).runnable(state_machine, validate)


class _Template:
    """One template file and the parameter values given for it."""

    def __init__(self, document: Document, text: str, parameters: dict[str, str]) -> None:
        self.document = document
        self.text = text
        self.data = document.data
        self.parameters = parameters

    def at(self, ptr: str) -> Location:
        position = self.document.source_map.key(ptr)
        return Location(self.document.file, position.line, position.column) if position else \
            Location(self.document.file)

    def runnable(self, wanted: str | None, validate: bool) -> Runnable:
        logical_id = self._choose(wanted)
        resource = self.data["Resources"][logical_id]
        base = f"/Resources/{escape_pointer_token(logical_id)}/Properties"
        props = resource.get("Properties")
        if not isinstance(props, dict):
            raise UserInputError(f"state machine '{logical_id}' has no Properties", self.at(base))
        subs = self._substitutions(props, base)
        external = next((k for k in ("DefinitionUri", "DefinitionS3Location") if k in props), None)
        props = {**props, "DefinitionSubstitutions": subs}   # now plain strings, as find_machines applies them
        if external is not None and "Definition" not in props and "DefinitionString" not in props:
            document, _ = self._external(props[external], f"{base}/{external}")
            found = _found(logical_id, {**props, "Definition": document.data})
            document = Document(found.definition, document.source_map, document.file)
            machine = compile_document(document, validate)
        else:
            found = _found(logical_id, props)
            document = Document(found.definition, _Placed(self, found), self.document.file)
            machine = self._compile(found, props, logical_id, validate)
        name = next((props[k] for k in ("StateMachineName", "Name") if isinstance(props.get(k), str)), logical_id)
        return Runnable(document, machine, name, json.dumps(found.definition, indent=2, ensure_ascii=False))

    def _choose(self, wanted: str | None) -> str:
        ids = [k for k, v in self.data["Resources"].items() if isinstance(v, dict) and v.get("Type") in MACHINE_TYPES]
        if wanted is not None:
            if wanted not in ids:
                raise UserInputError(f"no state machine '{wanted}' in the template (its state machines: "
                                     f"{', '.join(ids) or 'none'})", self.at("/Resources"))
            return wanted
        if len(ids) != 1:
            why = "no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine" if not ids else \
                f"{len(ids)} state machines ({', '.join(ids)}): pick one with --state-machine ID"
            raise UserInputError(f"the template has {why}", self.at("/Resources"))
        return ids[0]

    def _substitutions(self, props: dict, base: str) -> dict[str, str]:
        """DefinitionSubstitutions (and a DefinitionString's Fn::Sub variables) as plain strings."""
        raw = props.get("DefinitionSubstitutions") or {}
        if not isinstance(raw, dict):
            raise UserInputError("DefinitionSubstitutions must be a mapping of names to values",
                                 self.at(f"{base}/DefinitionSubstitutions"))
        subs = {key: self._value(key, value, f"{base}/DefinitionSubstitutions/{escape_pointer_token(key)}")
                for key, value in raw.items()}
        sub = props.get("DefinitionString")
        if isinstance(sub, dict) and "Fn::Sub" in sub:  # its ${Name} are the template's names, as in any Fn::Sub
            string = sub["Fn::Sub"][0] if isinstance(sub["Fn::Sub"], list) else sub["Fn::Sub"]
            for name in re.findall(_VARIABLE, string if isinstance(string, str) else ""):
                subs.setdefault(name, self._value(name, {"Ref": name}, f"{base}/DefinitionString"))
        known = set(subs) | set(self.data.get("Parameters") or {})
        unknown = sorted(set(self.parameters) - known)
        if unknown:
            raise UserInputError(f"--parameter {unknown[0]}: neither a DefinitionSubstitutions key of this state "
                                 f"machine nor a template parameter", self.at(f"{base}/DefinitionSubstitutions"))
        return subs

    def _value(self, key: str, value: Any, ptr: str) -> str:
        """One substitution's value: given with --parameter, plain, or a Ref / Fn::Sub sfn can resolve."""
        if key in self.parameters:
            return self.parameters[key]
        resolved = self._resolve(value)
        if resolved is None:
            raise UserInputError(f"'{key}' is {_shown(value)}, which only a deployment knows: give its value "
                                 f"with --parameter {key}=VALUE (or --parameters-file)", self.at(ptr))
        return resolved

    def _resolve(self, value: Any) -> str | None:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        if not isinstance(value, dict) or len(value) != 1:
            return None
        (function, arg), = value.items()
        if function == "Ref" and isinstance(arg, str):
            if arg in self.parameters:
                return self.parameters[arg]
            declared = (self.data.get("Parameters") or {}).get(arg)
            if isinstance(declared, dict) and "Default" in declared:
                return self._resolve(declared["Default"])
            return _PSEUDO.get(arg)
        if function == "Fn::Sub" and isinstance(arg, str):
            parts = {name: self._resolve({"Ref": name}) for name in re.findall(_VARIABLE, arg)}
            if None in parts.values():
                return None
            return re.sub(_VARIABLE, lambda m: parts[m.group(1)], arg).replace("${!", "${")
        if function == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = [self._resolve(part) for part in arg[1]]
            return None if None in parts or not isinstance(arg[0], str) else arg[0].join(parts)
        return None

    def _external(self, where: Any, ptr: str) -> tuple[Document, str]:
        """DefinitionUri / DefinitionS3Location: a local file, relative to the template's folder."""
        if not isinstance(where, str):
            bucket = where.get("Bucket") if isinstance(where, dict) else None
            key = where.get("Key") if isinstance(where, dict) else None
            raise UserInputError(f"the definition is in Amazon S3 (s3://{bucket}/{key}), which sfn does not read: "
                                 f"name the local file instead, as before `sam package` / `aws cloudformation "
                                 f"package`", self.at(ptr))
        from pathlib import Path

        path = Path(self.document.file).resolve().parent / where
        if not path.is_file():
            raise UserInputError(f"the definition file {where} does not exist (looked for {path})", self.at(ptr))
        return load_document(path)

    def _compile(self, found: Any, props: dict, logical_id: str, validate: bool) -> StateMachine:
        """Validate the machine in place in the template (positions there), then build it."""
        if validate:
            from .validate import validate as run_validation

            subset = Document({**self.data, "Resources": {logical_id: {
                **self.data["Resources"][logical_id], "Properties": props}}}, self.document.source_map,
                self.document.file)
            errors = [d for d in run_validation(subset, self.text) if d.severity == ERROR]
            if errors:
                raise DefinitionError(self.document.file, errors)
        if found.problem is not None:  # a DefinitionString sfn cannot read, without validation
            raise UserInputError(found.problem[1], self.at(found.pointer))
        try:
            return build_machine(found.definition)
        except BuildError as exc:
            position = _Placed(self, found).key(exc.pointer)
            raise DefinitionError(self.document.file, [Diagnostic("SCHEMA_VALIDATION_FAILED", exc.message,
                                                                  found.pointer, ERROR, position)]) from None


class _Placed:
    """The source map of a template's machine: its own pointers, placed in the template."""

    def __init__(self, template: _Template, found: Any) -> None:
        self.template, self.found = template, found
        self._positions: Any = None

    def key(self, ptr: str) -> Position | None:
        """Where the member at the definition's pointer `ptr` is in the template."""
        source_map = self.template.document.source_map
        if self.found.inline:
            return source_map.key(self.found.pointer + ptr)
        if self._positions is None:
            from .validate.embedded import TemplatePositions

            self._positions = TemplatePositions(self.template.text, source_map,
                                                self.template.document.file.endswith((".yaml", ".yml")))
        return self._positions.at_pointer(self.found, ptr) or source_map.value(self.found.pointer)

    value = key


def _found(logical_id: str, props: dict) -> Any:
    """find_machines' reading of one state machine (its substitutions applied, positions known)."""
    return next(find_machines({"Resources": {logical_id: {"Type": MACHINE_TYPES[0], "Properties": props}}}))


def _shown(value: Any) -> str:
    """An intrinsic function as a template shows it: !GetAtt Fn.Arn, !ImportValue x."""
    if isinstance(value, dict) and len(value) == 1:
        (function, arg), = value.items()
        name = function.removeprefix("Fn::")
        if isinstance(arg, list) and function == "Fn::GetAtt":
            arg = ".".join(str(a) for a in arg)
        return f"!{name} {arg if isinstance(arg, str) else json.dumps(arg)}"
    return json.dumps(value)


def parse_parameters(pairs: tuple[str, ...] | list[str], file: str | None = None) -> dict[str, str]:
    """`KEY=VALUE` options over a parameters file (a mapping, or CloudFormation's ParameterKey/ParameterValue list)."""
    values: dict[str, str] = {}
    if file is not None:
        document, _ = load_document(file)
        data = document.data
        if isinstance(data, list) and all(isinstance(p, dict) and "ParameterKey" in p for p in data):
            data = {p["ParameterKey"]: p.get("ParameterValue") for p in data}
        if not isinstance(data, dict) or not all(isinstance(v, (str, int, float, bool)) for v in data.values()):
            raise UserInputError("a parameters file maps names to values (or is CloudFormation's list of "
                                 "ParameterKey / ParameterValue)", Location(file))
        values.update({k: json.dumps(v) if isinstance(v, bool) else str(v) for k, v in data.items()})
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserInputError(f"--parameter {pair!r}: give KEY=VALUE")
        values[key] = value
    return values

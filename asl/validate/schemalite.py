"""A small JSON Schema (draft 2020-12) evaluator for the keywords schemas/asl.schema.json uses.

Why not jsonschema at run time: importing it (attrs, referencing, rpds, the metaschemas) costs
60-90 ms, most of the 150 ms a pre-commit run may take. The schema stays a standard 2020-12
document (editors use it through `$schema`); tests/validate/test_schema.py checks that this
evaluator and jsonschema agree on every corpus definition. A keyword this module does not know
raises at compile time, so the two can never silently drift apart.

The schema is compiled once into closures; each returns errors as (pointer, message, keyword).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..source import escape_pointer_token
from .suggest import did_you_mean

Error = tuple[str, str, str]            # (JSON pointer, message, keyword)
Check = Callable[[Any, str, list], None]

# Keywords that only annotate: nothing to check.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default",
                          "examples", "x-message", "$defs", "deprecated", "readOnly"})

_TYPE_NAMES = {"object": "an object", "array": "an array", "string": "a string",
               "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "null": "null"}


_EXACT = {str: "string", dict: "object", list: "array", bool: "boolean", type(None): "null", int: "integer"}


def _token(key: str) -> str:
    # escape_pointer_token, skipping its two replace() calls for the usual plain names
    return key if "~" not in key and "/" not in key else escape_pointer_token(key)


def type_of(value: Any) -> str:
    """The JSON type name of a Python value ("integer" for whole numbers, as JSON Schema says)."""
    exact = _EXACT.get(type(value))
    if exact is not None:
        return exact
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    actual = _EXACT.get(type(value)) or type_of(value)
    return actual == name or (name == "number" and actual == "integer")


def field_name(ptr: str) -> str:
    """The last token of a pointer, as a field name for messages ('/' for the root)."""
    token = ptr.rsplit("/", 1)[-1] if ptr else "/"
    return token.replace("~1", "/").replace("~0", "~")


def _fmt_list(values: list) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


class SchemaCompiler:
    """Compiles one schema document; `$ref`s resolve to `#/$defs/...` of that document."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self._refs: dict[str, Check] = {}

    def compile(self, node: Any) -> Check:
        """A function checking an instance against `node`, appending errors to a list."""
        if node is True or node == {}:
            return lambda value, ptr, errors: None
        if node is False:
            return lambda value, ptr, errors: errors.append((ptr, f"Field '{field_name(ptr)}' is not supported", "false"))
        checks: list[Check] = []
        for keyword in node:
            if keyword in _ANNOTATIONS or keyword in ("then", "else"):
                continue
            builder = getattr(self, "_kw_" + keyword.lstrip("$"), None)
            if builder is None:
                raise ValueError(f"schemalite does not implement the keyword {keyword!r}")
            checks.append(builder(node[keyword], node))

        if len(checks) == 1:
            return checks[0]

        def check(value: Any, ptr: str, errors: list) -> None:
            for c in checks:
                c(value, ptr, errors)
        return check

    # ------------------------------------------------------------------ keywords

    def _kw_ref(self, ref: str, node: dict) -> Check:
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"schemalite resolves only local $defs references, not {ref!r}")
        name = ref[len("#/$defs/"):]
        refs = self._refs
        if name not in refs:
            refs[name] = None  # type: ignore[assignment]  # placeholder: recursion
            refs[name] = self.compile(self.root["$defs"][name])

        def check(value: Any, ptr: str, errors: list) -> None:
            refs[name](value, ptr, errors)
        return check

    def _kw_type(self, expected: str | list[str], node: dict) -> Check:
        names = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(_TYPE_NAMES[n] for n in names)

        def check(value: Any, ptr: str, errors: list) -> None:
            if not any(_is_type(value, n) for n in names):
                errors.append((ptr, f"The value of '{field_name(ptr)}' should be {words}, not {_show(value)}", "type"))
        return check

    def _kw_enum(self, allowed: list, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if not any(_same(value, a) for a in allowed):
                errors.append((ptr, f"The field '{field_name(ptr)}' should have one of these values: "
                                    f"{_fmt_list(allowed)}{did_you_mean(value, allowed)}", "enum"))
        return check

    def _kw_const(self, expected: Any, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if not _same(value, expected):
                errors.append((ptr, f"The value of '{field_name(ptr)}' must be {_show(expected)}", "const"))
        return check

    def _kw_required(self, names: list[str], node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict):
                missing = [n for n in names if n not in value]
                if missing:
                    errors.append((ptr, f"These fields are required: {_fmt_list(missing)}", "required"))
        return check

    def _kw_properties(self, props: dict, node: dict) -> Check:
        compiled = {name: self.compile(sub) for name, sub in props.items()}

        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict):
                for name, sub in compiled.items():
                    if name in value:
                        sub(value[name], ptr + "/" + _token(name), errors)
        return check

    def _kw_patternProperties(self, props: dict, node: dict) -> Check:
        compiled = [(re.compile(p), self.compile(sub)) for p, sub in props.items()]

        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    for regex, sub in compiled:
                        if regex.search(key):
                            sub(item, ptr + "/" + escape_pointer_token(key), errors)
        return check

    def _kw_additionalProperties(self, extra: Any, node: dict) -> Check:
        known = set(node.get("properties", {}))
        patterns = [re.compile(p) for p in node.get("patternProperties", {})]
        sub = None if extra is False else self.compile(extra)

        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key in known or any(p.search(key) for p in patterns):
                        continue
                    child = ptr + "/" + _token(key)
                    if sub is None:
                        errors.append((child, f"Field '{key}' is not supported{did_you_mean(key, known)}",
                                       "additionalProperties"))
                    else:
                        sub(item, child, errors)
        return check

    def _kw_propertyNames(self, names_schema: dict, node: dict) -> Check:
        sub = self.compile(names_schema)

        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict):
                for key in value:
                    found: list = []
                    sub(key, "", found)
                    for _, message, keyword in found:
                        errors.append((ptr + "/" + escape_pointer_token(key),
                                       message.replace("The value of '/'", f"The name '{key}'"), "propertyNames"))
        return check

    def _kw_minProperties(self, n: int, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict) and len(value) < n:
                errors.append((ptr, "Value cannot be empty" if n == 1 else f"At least {n} fields are required",
                               "minProperties"))
        return check

    def _kw_items(self, items: Any, node: dict) -> Check:
        sub = self.compile(items)

        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    sub(item, f"{ptr}/{i}", errors)
        return check

    def _kw_minItems(self, n: int, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, list) and len(value) < n:
                errors.append((ptr, "Value cannot be empty" if n == 1 else f"At least {n} items are required",
                               "minItems"))
        return check

    def _kw_maxItems(self, n: int, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, list) and len(value) > n:
                errors.append((ptr, f"At most {n} items are allowed", "maxItems"))
        return check

    def _kw_minLength(self, n: int, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, str) and len(value) < n:
                errors.append((ptr, f"The value of '{field_name(ptr)}' cannot be empty" if n == 1
                               else f"The value of '{field_name(ptr)}' must be at least {n} characters", "minLength"))
        return check

    def _kw_maxLength(self, n: int, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, str) and len(value) > n:
                errors.append((ptr, f"The value of '{field_name(ptr)}' must be at most {n} characters", "maxLength"))
        return check

    def _kw_pattern(self, pattern: str, node: dict) -> Check:
        regex = re.compile(pattern)
        message = node.get("x-message")

        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, str) and not regex.search(value):
                errors.append((ptr, message or f"The value of '{field_name(ptr)}' does not match {pattern}", "pattern"))
        return check

    def _bound(self, limit: float, node: dict, fails: Callable[[float, float], bool], words: str, keyword: str) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if type_of(value) in ("integer", "number") and fails(value, limit):
                errors.append((ptr, f"The value of '{field_name(ptr)}' must be {words} {_num(limit)}, not {_num(value)}",
                               keyword))
        return check

    def _kw_minimum(self, limit: float, node: dict) -> Check:
        return self._bound(limit, node, lambda v, l: v < l, "at least", "minimum")

    def _kw_maximum(self, limit: float, node: dict) -> Check:
        return self._bound(limit, node, lambda v, l: v > l, "at most", "maximum")

    def _kw_exclusiveMinimum(self, limit: float, node: dict) -> Check:
        return self._bound(limit, node, lambda v, l: v <= l, "greater than", "exclusiveMinimum")

    def _kw_exclusiveMaximum(self, limit: float, node: dict) -> Check:
        return self._bound(limit, node, lambda v, l: v >= l, "less than", "exclusiveMaximum")

    def _kw_allOf(self, subs: list, node: dict) -> Check:
        dispatch = _discriminator(subs)
        if dispatch is not None:
            # `allOf: [{if: {properties: {K: {const: V}}, required: [K]}, then: S}, ...]` is a
            # switch on K: look the branch up instead of testing every `if` (same result).
            key, table = dispatch
            branches = {value: self.compile(then) for value, then in table.items()}

            def switch(value: Any, ptr: str, errors: list) -> None:
                if isinstance(value, dict):
                    tag = value.get(key)
                    branch = branches.get(tag) if isinstance(tag, str) else None
                    if branch is not None:
                        branch(value, ptr, errors)
            return switch
        compiled = [self.compile(s) for s in subs]

        def check(value: Any, ptr: str, errors: list) -> None:
            for c in compiled:
                c(value, ptr, errors)
        return check

    def _kw_anyOf(self, subs: list, node: dict) -> Check:
        compiled = [(self.compile(s), _expected_types(s, self.root)) for s in subs]

        def check(value: Any, ptr: str, errors: list) -> None:
            attempts = []
            for c, types in compiled:
                found: list = []
                c(value, ptr, found)
                if not found:
                    return
                attempts.append((found, types))
            errors.extend(_best_of(value, ptr, attempts))
        return check

    def _kw_oneOf(self, subs: list, node: dict) -> Check:
        compiled = [(self.compile(s), _expected_types(s, self.root)) for s in subs]

        def check(value: Any, ptr: str, errors: list) -> None:
            attempts, passed = [], 0
            for c, types in compiled:
                found: list = []
                c(value, ptr, found)
                if found:
                    attempts.append((found, types))
                else:
                    passed += 1
            if passed == 0:
                errors.extend(_best_of(value, ptr, attempts))
            elif passed > 1:
                errors.append((ptr, f"The value of '{field_name(ptr)}' matches more than one allowed form", "oneOf"))
        return check

    def _kw_not(self, sub_schema: Any, node: dict) -> Check:
        sub = self.compile(sub_schema)

        def check(value: Any, ptr: str, errors: list) -> None:
            found: list = []
            sub(value, ptr, found)
            if not found:
                errors.append((ptr, f"The value of '{field_name(ptr)}' is not allowed here", "not"))
        return check

    def _kw_if(self, condition: Any, node: dict) -> Check:
        test = self.compile(condition)
        then = self.compile(node["then"]) if "then" in node else None
        otherwise = self.compile(node["else"]) if "else" in node else None

        def check(value: Any, ptr: str, errors: list) -> None:
            found: list = []
            test(value, ptr, found)
            branch = otherwise if found else then
            if branch is not None:
                branch(value, ptr, errors)
        return check

    def _kw_dependentRequired(self, deps: dict, node: dict) -> Check:
        def check(value: Any, ptr: str, errors: list) -> None:
            if isinstance(value, dict):
                for name, needed in deps.items():
                    missing = [n for n in needed if name in value and n not in value]
                    if missing:
                        errors.append((ptr, f"'{name}' requires these fields: {_fmt_list(missing)}",
                                       "dependentRequired"))
        return check


def _discriminator(subs: list) -> tuple[str, dict[str, Any]] | None:
    """(K, {V: then}) when every subschema is `if K == V (string), then ...`; else None."""
    key, table = None, {}
    for sub in subs:
        if not isinstance(sub, dict) or set(sub) != {"if", "then"}:
            return None
        cond = sub["if"]
        if not isinstance(cond, dict) or set(cond) != {"properties", "required"}:
            return None
        props = cond["properties"]
        if len(props) != 1 or cond["required"] != list(props):
            return None
        (name, test), = props.items()
        if set(test) != {"const"} or not isinstance(test["const"], str) or key not in (None, name):
            return None
        key = name
        table[test["const"]] = sub["then"]
    return (key, table) if key is not None else None


def _expected_types(schema: Any, root: dict) -> list[str]:
    """The JSON types a subschema accepts, following $ref, for 'expected one of' messages."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 10:
        schema = root["$defs"][schema["$ref"][len("#/$defs/"):]]
        seen += 1
    if not isinstance(schema, dict):
        return []
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if schema.get("pattern", "").startswith("^\\{%"):
            return ["JSONata expression"]
        return kinds
    return []


def _best_of(value: Any, ptr: str, attempts: list[tuple[list, list[str]]]) -> list[Error]:
    """One error for a failed anyOf / oneOf: the branch whose type fits, else the types expected."""
    actual = type_of(value)
    for found, types in attempts:
        if any(t == actual or (t == "number" and actual == "integer") or
               (t == "JSONata expression" and actual == "string") for t in types):
            # A string that is not JSONata may still fit a plain-string branch: prefer that one.
            if "JSONata expression" in types and any(
                    actual in ts and "JSONata expression" not in ts for _, ts in attempts):
                continue
            return found
    expected = []
    for _, types in attempts:
        expected += [t for t in types if t not in expected]
    if not expected:
        return attempts[0][0] if attempts else []
    return [(ptr, f"Incorrect type for '{field_name(ptr)}': expected one of {', '.join(expected)}, "
                  f"not {_show(value)}", "anyOf")]


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1.
    return type_of(a) == type_of(b) and a == b


def _num(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _show(value: Any) -> str:
    kind = type_of(value)
    if kind in ("object", "array", "null"):
        return kind if kind != "null" else "null"
    if kind == "string":
        text = value if len(value) <= 40 else value[:37] + "..."
        return f'"{text}"'
    if kind == "boolean":
        return "true" if value else "false"
    return _num(value)

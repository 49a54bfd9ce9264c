"""Field-level rules: exclusive fields, query-language fields, paths, JSONata, error names, Choice
rules, Wait and timeouts (payload templates and variables: rules_templates.py; Map-only rules:
rules_map.py). One generator per rule; RULES lists them all in their order.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..diagnostics import WARNING, Diagnostic
from ..source import escape_pointer_token
from . import expressions as ex
from .context import Context, Rule, diag
from .context import dict_items as _items, get_in as _get
from .resources import check_resource
from .rules_templates import _PATH_LIKE, looks_like_path, payload_templates, variable_scopes
from .suggest import did_you_mean
from .walk import Fields

SCHEMA = "SCHEMA_VALIDATION_FAILED"

# At most one field of each group per state type (and "exactly one" where marked).
EXCLUSIVE: dict[str, list[tuple[tuple[str, ...], bool]]] = {
    "Fail": [(("Error", "ErrorPath"), False), (("Cause", "CausePath"), False)],
    "Task": [(("TimeoutSeconds", "TimeoutSecondsPath"), False),
             (("HeartbeatSeconds", "HeartbeatSecondsPath"), False)],
    "Wait": [(("Seconds", "SecondsPath", "Timestamp", "TimestampPath"), True)],
    "Map": [(("ItemProcessor", "Iterator"), True), (("Parameters", "ItemSelector"), False),
            (("ItemsPath", "Items"), False), (("MaxConcurrency", "MaxConcurrencyPath"), False),
            (("ToleratedFailureCount", "ToleratedFailureCountPath"), False),
            (("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"), False)],
}
NESTED_EXCLUSIVE = [
    (("ItemReader", "ReaderConfig"), ("MaxItems", "MaxItemsPath")),
    (("ItemBatcher",), ("MaxItemsPerBatch", "MaxItemsPerBatchPath")),
    (("ItemBatcher",), ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")),
]

JSONPATH_ONLY = ("InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "ItemsPath",
                 "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                 "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
                 "ErrorPath", "CausePath")
JSONATA_ONLY = ("Arguments", "Output", "Items")
# Fields that take a number, or a JSONata expression in JSONata states only.
NUMBER_OR_JSONATA = ("TimeoutSeconds", "HeartbeatSeconds", "Seconds", "MaxConcurrency",
                     "ToleratedFailureCount", "ToleratedFailurePercentage")

# (parents, field) of every field that holds a JSONata expression only in a JSONata state; the
# ItemReader's and ItemBatcher's fields follow the Map state's own language.
JSONATA_ONLY_VALUES = [((), name) for name in NUMBER_OR_JSONATA + ("Timestamp",)] + [
    (("ItemReader", "ReaderConfig"), "MaxItems"), (("ItemBatcher",), "MaxItemsPerBatch"),
    (("ItemBatcher",), "MaxInputBytesPerBatch")]

# Paths: field -> (definite, rooted at `$` only). The guide's "Paths": InputPath and OutputPath
# take any JSONPath (filters, wildcards); the fields that read one value (ResultPath, ItemsPath,
# the *Path twins of numbers and timestamps) take a Reference Path, which selects a single node.
PATH_FIELDS = {
    "InputPath": (False, False), "OutputPath": (False, False), "ResultPath": (True, True),
    "ItemsPath": (True, False), "SecondsPath": (True, False), "TimestampPath": (True, False),
    "TimeoutSecondsPath": (True, False), "HeartbeatSecondsPath": (True, False),
    "MaxConcurrencyPath": (True, False), "ToleratedFailureCountPath": (True, False),
    "ToleratedFailurePercentagePath": (True, False),
}
KNOWN_ERRORS = frozenset({
    "States.ALL", "States.DataLimitExceeded", "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout", "States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed",
    "States.NoChoiceMatched", "States.ParameterPathFailure", "States.Permissions",
    "States.QueryEvaluationError", "States.ResultPathMatchFailure", "States.ResultWriterFailed",
    "States.Runtime", "States.TaskFailed", "States.Timeout", "States.BranchFailed",
})

# An HTTP Task's error for a non-2xx answer (the developer guide: States.Http.StatusCode.404 ...).
_HTTP_STATUS = r"States\.Http\.StatusCode\.[1-5]\d\d"

COMPARISONS = tuple(
    f"{kind}{op}{suffix}"
    for kind, ops in (("String", ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")),
                      ("Numeric", ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")),
                      ("Timestamp", ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")),
                      ("Boolean", ("Equals",)))
    for op in ops for suffix in ("", "Path")
) + ("StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
COMBINATORS = ("And", "Or", "Not")

def exclusive_fields(ctx: Context) -> Iterator[Diagnostic]:
    """Fields that exclude each other (Error / ErrorPath, ...), and groups needing exactly one."""
    for state in ctx.states:
        for group, exactly_one in EXCLUSIVE.get(state.type or "", []):
            present = [f for f in group if f in state.data]
            if len(present) > 1:
                yield diag(SCHEMA, f"You cannot set both {' and '.join(present)}: use only one of "
                                   f"{', '.join(group)}", state.at(present[1]))
            elif exactly_one and not present:
                yield diag(SCHEMA, f"A {state.type} state needs one of these fields: [{', '.join(group)}]",
                           state.pointer)
        for parents, group in NESTED_EXCLUSIVE if state.type == "Map" else ():
            holder = _get(state.data, *parents)
            if isinstance(holder, dict) and all(f in holder for f in group):
                yield diag(SCHEMA, f"You cannot set both {group[0]} and {group[1]}", state.at(*parents, group[1]))


def query_language_fields(ctx: Context) -> Iterator[Diagnostic]:
    """JSONPath-only fields stay out of JSONata states, and JSONata-only ones out of JSONPath states."""
    for state in ctx.states:
        body = state.data
        # Most states hold none of the fields this rule reads: skip them in one set operation.
        if not (_JSONATA_STATE_READS if state.jsonata else _JSONPATH_STATE_READS).any_in(body):
            continue
        if state.jsonata:
            for name in JSONPATH_ONLY:
                if name in body:
                    yield diag(SCHEMA, f"Field '{name}' is not supported in JSONata states (use Arguments, "
                                       "Output and Assign)", state.at(name))
            for i, catcher in _items(body.get("Catch")):
                if "ResultPath" in catcher:
                    yield diag(SCHEMA, "Field 'ResultPath' is not supported in JSONata states",
                               state.at("Catch", i, "ResultPath"))
            for parents, names in ((("ItemReader",), ("Parameters",)), (("ResultWriter",), ("Parameters",)),
                                   (("ItemReader", "ReaderConfig"), ("MaxItemsPath",)),
                                   (("ItemBatcher",), ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"))):
                holder = _get(body, *parents)
                for name in names if isinstance(holder, dict) else ():
                    if name in holder:
                        yield diag(SCHEMA, f"Field '{name}' is not supported in JSONata states",
                                   state.at(*parents, name))
        else:
            for name in JSONATA_ONLY:
                if name in body:
                    yield diag(SCHEMA, f"Field '{name}' is only supported in JSONata states "
                                       "(set \"QueryLanguage\": \"JSONata\")", state.at(name))
            for i, catcher in _items(body.get("Catch")):
                if "Output" in catcher:
                    yield diag(SCHEMA, "Field 'Output' is only supported in JSONata states",
                               state.at("Catch", i, "Output"))
            for parent in ("ItemReader", "ResultWriter"):
                if isinstance(body.get(parent), dict) and "Arguments" in body[parent]:
                    yield diag(SCHEMA, "Field 'Arguments' is only supported in JSONata states",
                               state.at(parent, "Arguments"))
            for parents, name in JSONATA_ONLY_VALUES:
                if ex.is_jsonata(_get(body, *parents, name)):
                    yield diag(SCHEMA, f"'{name}' can hold a JSONata expression only in JSONata states",
                               state.at(*parents, name))


# The top-level fields query_language_fields reads in a JSONata / a JSONPath state.
_JSONATA_STATE_READS = Fields(JSONPATH_ONLY + ("Catch", "ItemReader", "ResultWriter", "ItemBatcher"))
_JSONPATH_STATE_READS = Fields(JSONATA_ONLY + ("Catch", "ItemReader", "ResultWriter")
                               + tuple(parents[0] if parents else name for parents, name in JSONATA_ONLY_VALUES))
_PATH_FIELDS = Fields(tuple(PATH_FIELDS))
# The top-level fields `paths` reads.
_PATHS_READS = Fields(tuple(PATH_FIELDS) + ("Catch", "ItemReader", "ItemBatcher", "ErrorPath", "CausePath"))


_NESTED_PATHS = ((("ItemReader", "ReaderConfig"), "MaxItemsPath"), (("ItemBatcher",), "MaxItemsPerBatchPath"),
                 (("ItemBatcher",), "MaxInputBytesPerBatchPath"))


def paths(ctx: Context) -> Iterator[Diagnostic]:
    """Path fields of JSONPath states hold valid JSONPaths (reference paths where AWS says so)."""
    for state in ctx.states:
        if state.jsonata:
            continue
        body = state.data
        if not _PATHS_READS.any_in(body):
            continue
        for name in _PATH_FIELDS.present(body):
            definite, dollar_only = PATH_FIELDS[name]
            value = body[name]
            if isinstance(value, str):
                problem = ex.path_error(value, definite=definite, dollar_only=dollar_only)
                if problem:
                    yield diag(SCHEMA, f"{name}: {problem}", state.at(name))
        for i, catcher in _items(body.get("Catch")) if "Catch" in body else ():
            if isinstance(catcher.get("ResultPath"), str):
                problem = ex.path_error(catcher["ResultPath"], definite=True, dollar_only=True)
                if problem:
                    yield diag(SCHEMA, f"ResultPath: {problem}", state.at("Catch", i, "ResultPath"))
        for parents, name in _NESTED_PATHS if ("ItemReader" in body or "ItemBatcher" in body) else ():
            value = _get(body, *parents, name)
            if isinstance(value, str):
                problem = ex.path_error(value, definite=True)
                if problem:
                    yield diag(SCHEMA, f"{name}: {problem}", state.at(*parents, name))
        for name in ("ErrorPath", "CausePath"):
            value = body.get(name)
            if isinstance(value, str):
                # A Reference Path to a string, or an intrinsic returning one (the Fail state page).
                problem = ex.path_or_intrinsic_error(value)
                if not problem:
                    problem = (_string_intrinsic(value) if ex.looks_like_intrinsic(value)
                               else ex.path_error(value, definite=True))
                if problem:
                    yield diag(SCHEMA, f"{name}: {problem}", state.at(name))


# Intrinsic functions that return a string: the only ones ErrorPath / CausePath may call.
STRING_INTRINSICS = ("States.Format", "States.JsonToString", "States.ArrayGetItem", "States.Base64Encode",
                     "States.Base64Decode", "States.Hash", "States.UUID")


def _string_intrinsic(text: str) -> str | None:
    name = text.split("(", 1)[0].strip()
    if name in STRING_INTRINSICS:
        return None
    return (f"{name} does not return a string; use a path or one of "
            f"{', '.join(n.split('.', 1)[1] for n in STRING_INTRINSICS)}")


def jsonata_expressions(ctx: Context) -> Iterator[Diagnostic]:
    """Every `{% %}` string of a JSONata state parses (and its delimiters are complete)."""
    skip = ("Type", "Comment", "QueryLanguage", "Next", "End", "Default", "Resource", "Branches",
            "ItemProcessor", "Iterator", "Label", "Retry")
    for state in ctx.states:
        if not state.jsonata:
            continue
        for name, value in state.data.items():
            if name not in skip:
                yield from _jsonata_strings(value, state.at(name))


def _jsonata_strings(value: Any, ptr: str) -> Iterator[Diagnostic]:
    if isinstance(value, str):
        if value.startswith("{%") or value.endswith("%}"):
            problem = ex.jsonata_error(value)
            if problem:
                yield diag(SCHEMA, f"Invalid JSONata: {problem}", ptr)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _jsonata_strings(item, ptr + "/" + escape_pointer_token(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _jsonata_strings(item, f"{ptr}/{i}")


# `$states.result` / `$states.errorOutput` read in an expression (string literals removed first).
_STATES_MEMBER = r"\$states\s*\.\s*(result|errorOutput)\b"
_STRING_LITERAL = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_HAS_RESULT = ("Task", "Parallel", "Map")


def reserved_states_members(ctx: Context) -> Iterator[Diagnostic]:
    """`$states.result` only in a Task / Parallel / Map's Output and Assign, `$states.errorOutput`
    only in a Catcher's Output and Assign: the guide says other uses fail validation. (The
    language service accepts `$states.result` in a Catcher, so sfn does too.)"""
    for state in ctx.states:
        if not state.jsonata:
            continue
        for name, value in state.data.items():
            if name == "Catch":
                for i, catcher in _items(value):
                    for field, item in catcher.items():
                        allowed = ("result", "errorOutput") if field in ("Output", "Assign") else ()
                        yield from _reserved_members(item, state.at("Catch", i, field), allowed)
            elif name not in ("Branches", "ItemProcessor", "Iterator"):
                allowed = ("result",) if state.type in _HAS_RESULT and name in ("Output", "Assign") else ()
                yield from _reserved_members(value, state.at(name), allowed)


def _reserved_members(value: Any, ptr: str, allowed: tuple[str, ...]) -> Iterator[Diagnostic]:
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            for member in re.findall(_STATES_MEMBER, re.sub(_STRING_LITERAL, "''", value[2:-2])):
                if member not in allowed:
                    where = ("the Output and Assign of a Task, Parallel or Map state" if member == "result"
                             else "the Output and Assign of a Catcher")
                    yield diag(SCHEMA, f"$states.{member} is not available here: only in {where}", ptr)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _reserved_members(item, ptr + "/" + escape_pointer_token(key), allowed)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _reserved_members(item, f"{ptr}/{i}", allowed)


_ERROR_HOLDERS = Fields(("Retry", "Catch"))


def error_names(ctx: Context) -> Iterator[Diagnostic]:
    """States.ALL alone and in the last Retrier / Catcher; `States.` names are AWS's only."""
    for state in ctx.states:
        for field in _ERROR_HOLDERS.present(state.data):
            items = list(_items(state.data.get(field)))
            for position, (i, item) in enumerate(items):
                names = item.get("ErrorEquals")
                if not isinstance(names, list):
                    continue
                for j, name in enumerate(names):
                    ptr = state.at(field, i, "ErrorEquals", j)
                    if name == "States.ALL" and len(names) > 1:
                        yield diag(SCHEMA, "States.ALL must appear alone in ErrorEquals", ptr)
                    if name == "States.ALL" and position != len(items) - 1:
                        yield diag(SCHEMA, f"States.ALL must be in the last element of {field}", ptr)
                    if isinstance(name, str) and name.startswith("States.") and name not in KNOWN_ERRORS \
                            and not re.fullmatch(_HTTP_STATUS, name):
                        yield diag(SCHEMA, f"'{name}' is not a predefined error: names starting with "
                                           "'States.' are reserved", ptr)


def choice_rules(ctx: Context) -> Iterator[Diagnostic]:
    """Choice rules: JSONPath ones have one operator (and Variable), JSONata ones a Condition;
    Next only at the top level."""
    for state in ctx.states:
        if state.type != "Choice":
            continue
        for i, rule in _items(state.data.get("Choices")):
            ptr = state.at("Choices", i)
            if "Next" not in rule:
                yield diag(SCHEMA, "These fields are required: [Next]", ptr)
            if state.jsonata:
                yield from _jsonata_rule(rule, ptr)
            else:
                yield from _jsonpath_rule(rule, ptr, top=True)


def _jsonata_rule(rule: dict, ptr: str) -> Iterator[Diagnostic]:
    if "Condition" not in rule:
        yield diag(SCHEMA, "These fields are required: [Condition]", ptr)
    for name in rule:
        if name in COMPARISONS or name in COMBINATORS or name == "Variable":
            yield diag(SCHEMA, f"Field '{name}' is not supported in JSONata Choice rules (use Condition)",
                       ptr + "/" + name)


def _jsonpath_rule(rule: Any, ptr: str, top: bool) -> Iterator[Diagnostic]:
    if not isinstance(rule, dict):
        return
    if not top:
        for name in ("Next", "Assign", "Output"):
            if name in rule:
                yield diag(SCHEMA, f"Field '{name}' is only allowed in a top-level Choice rule", ptr + "/" + name)
    for name in ("Condition", "Output"):
        if name in rule and top:
            yield diag(SCHEMA, f"Field '{name}' is only supported in JSONata states", ptr + "/" + name)
    comparisons = [n for n in rule if n in COMPARISONS]
    combinators = [n for n in rule if n in COMBINATORS]
    operators = comparisons + combinators
    # statelint and the language service accept And, Or and Not side by side (all must hold);
    # a comparison operator stands alone.
    if len(comparisons) > 1 or (comparisons and combinators) or not operators:
        found = ", ".join(operators) if operators else "none"
        yield diag(SCHEMA, f"A Choice rule must have exactly one comparison operator, or And / Or / Not "
                           f"(found: {found})", ptr)
    for op in operators:
        if op in COMBINATORS:
            if "Variable" in rule and not comparisons:
                yield diag(SCHEMA, f"Field 'Variable' is not allowed with '{op}'", ptr + "/Variable")
            inner = rule[op]
            if op == "Not":
                yield from _jsonpath_rule(inner, ptr + "/Not", top=False)
            else:
                for j, item in enumerate(inner if isinstance(inner, list) else []):
                    yield from _jsonpath_rule(item, f"{ptr}/{op}/{j}", top=False)
        else:
            if "Variable" not in rule:
                yield diag(SCHEMA, f"Field 'Variable' is required with '{op}'", ptr)
            if op.endswith("Path") and isinstance(rule[op], str):
                problem = ex.path_error(rule[op], definite=True)
                if problem:
                    yield diag(SCHEMA, f"{op}: {problem}", ptr + "/" + op)
    variable = rule.get("Variable")
    if isinstance(variable, str):
        # The spec: "The values of Variable and Path fields in a comparison must be valid Reference Paths."
        problem = ex.path_error(variable, definite=True)
        if problem:
            yield diag(SCHEMA, f"Variable: {problem}", ptr + "/Variable")


def credentials(ctx: Context) -> Iterator[Diagnostic]:
    """JSONata Credentials hold exactly RoleArn; in JSONPath states they are a payload template."""
    for state in ctx.states:
        creds = state.data.get("Credentials")
        if not state.jsonata or not isinstance(creds, dict):
            continue
        if "RoleArn" not in creds:
            yield diag(SCHEMA, "The field 'RoleArn' is required but was missing", state.at("Credentials"))
        for name in creds:
            if name != "RoleArn":
                yield diag(SCHEMA, f"Field '{name}' is not supported in Credentials{did_you_mean(name, ['RoleArn'])}",
                           state.at("Credentials", name))


def timeouts(ctx: Context) -> Iterator[Diagnostic]:
    """HeartbeatSeconds must be smaller than TimeoutSeconds."""
    for state in ctx.states:
        beat, limit = state.data.get("HeartbeatSeconds"), state.data.get("TimeoutSeconds")
        if _number(beat) and _number(limit) and beat >= limit:
            yield diag(SCHEMA, f"HeartbeatSeconds ({beat}) must be smaller than TimeoutSeconds ({limit})",
                       state.at("HeartbeatSeconds"))


def resources(ctx: Context) -> Iterator[Diagnostic]:
    """Task, ItemReader and ResultWriter Resources are ARNs AWS recognises."""
    for state in ctx.states:
        if state.type == "Task":
            yield from check_resource(state.data.get("Resource"), state.at("Resource"))
        elif state.type == "Map":
            for parent in ("ItemReader", "ResultWriter"):
                value = _get(state.data, parent, "Resource")
                if value is not None:
                    yield from check_resource(value, state.at(parent, "Resource"))


# Fields whose value AWS takes literally but which have a `...Path` twin: (parents, field).
PATH_TWINS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "Fail": (((), "Error"), ((), "Cause")),
    "Wait": (((), "Seconds"), ((), "Timestamp")),
    "Task": (((), "TimeoutSeconds"), ((), "HeartbeatSeconds")),
    "Map": (((), "MaxConcurrency"), ((), "ToleratedFailureCount"), ((), "ToleratedFailurePercentage"),
            (("ItemReader", "ReaderConfig"), "MaxItems"), (("ItemBatcher",), "MaxItemsPerBatch"),
            (("ItemBatcher",), "MaxInputBytesPerBatch")),
}


def no_path(ctx: Context) -> Iterator[Diagnostic]:
    """NO_PATH (warning): a field that does not end in 'Path' holds what looks like a path.

    AWS: "Field value looks like a path, but field name does not end with 'Path'". The fields
    checked are those with a `...Path` twin (Fail Error / ErrorPath, Choice StringEquals /
    StringEqualsPath, ...), in JSONPath states: there the value is used as a literal.
    """
    for state in ctx.states:
        if state.jsonata:
            continue
        for parents, name in PATH_TWINS.get(state.type or "", ()):
            value = _get(state.data, *parents, name)
            if isinstance(value, str) and _PATH_LIKE.match(value):
                yield diag("NO_PATH", f"{name} holds '{value}', which looks like a path but is used as a "
                                      f"literal: use {name}Path to read it from the input",
                           state.at(*parents, name), WARNING)
        if state.type == "Choice":
            for i, rule in _items(state.data.get("Choices")):
                yield from _choice_no_path(rule, state.at("Choices", i))


def _choice_no_path(rule: Any, ptr: str) -> Iterator[Diagnostic]:
    if not isinstance(rule, dict):
        return
    for name, value in rule.items():
        if name in COMPARISONS and not name.endswith("Path") and name + "Path" in COMPARISONS \
                and isinstance(value, str) and _PATH_LIKE.match(value):
            yield diag("NO_PATH", f"{name} compares with the literal string '{value}', which looks like a "
                                  f"path: use {name}Path to compare with a value from the input",
                       f"{ptr}/{name}", WARNING)
    if isinstance(rule.get("Not"), dict):
        yield from _choice_no_path(rule["Not"], ptr + "/Not")
    for op in ("And", "Or"):
        for j, inner in _items(rule.get(op)):
            yield from _choice_no_path(inner, f"{ptr}/{op}/{j}")


def pass_result_is_static(ctx: Context) -> Iterator[Diagnostic]:
    """PASS_RESULT_IS_STATIC (warning): a Pass state's Result tries to use a path.

    AWS: "Attempt to use a path in the result of a pass state". Result is never evaluated: a
    `.$` key or a path-like string in it stays literal text (Parameters is the field that
    evaluates paths).
    """
    for state in ctx.states:
        if state.type == "Pass" and not state.jsonata and "Result" in state.data:
            yield from _static_result(state.data["Result"], state.at("Result"))


def _static_result(value: Any, ptr: str) -> Iterator[Diagnostic]:
    if looks_like_path(value):
        yield diag("PASS_RESULT_IS_STATIC", f"Result holds '{value}', which looks like a path, but a Pass "
                                            "state's Result is static: use Parameters to read the input",
                   ptr, WARNING)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.endswith(".$"):
                yield diag("PASS_RESULT_IS_STATIC", f"'{key}' in a Pass state's Result is not evaluated (Result "
                                                    "is static): use Parameters to read the input",
                           ptr + "/" + escape_pointer_token(key), WARNING)
            elif isinstance(item, (dict, list)) or looks_like_path(item):  # else nothing to report
                yield from _static_result(item, ptr + "/" + escape_pointer_token(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)) or looks_like_path(item):
                yield from _static_result(item, f"{ptr}/{i}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Rules that only ever warn: a caller wanting errors alone skips them.
no_path.warns_only = True  # type: ignore[attr-defined]
pass_result_is_static.warns_only = True  # type: ignore[attr-defined]

RULES: list[Rule] = [
    exclusive_fields,
    query_language_fields,
    paths,
    payload_templates,
    variable_scopes,
    jsonata_expressions,
    reserved_states_members,
    error_names,
    choice_rules,
    credentials,
    timeouts,
    resources,
    no_path,
    pass_result_is_static,
]

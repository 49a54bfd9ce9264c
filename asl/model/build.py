"""Build the typed model from a definition document: every path, template and rule compiled once."""

from __future__ import annotations

from typing import Any

from ..aws import parse_resource
from ..errors import SfnError
from ..expr.jsonpath import PathSyntaxError, compile_path, compile_reference_path
from ..expr.template import TemplateError, compile_template, compile_value_expression
from ..source import escape_pointer_token
from . import choice as rules
from .states import (
    JSONATA, JSONPATH, Catcher, ChoiceRule, ChoiceState, FailState, ItemBatcher, ItemReader, MapState,
    ParallelState, PassState, ResultWriter, Retrier, StateMachine, SucceedState, TaskState, WaitState, construct,
)


class BuildError(SfnError):
    """A definition the interpreter cannot run, at a JSON pointer."""

    def __init__(self, message: str, pointer: str = "") -> None:
        self.message = message
        self.pointer = pointer
        super().__init__(f"{pointer or '/'}: {message}")


def build_machine(definition: Any) -> StateMachine:
    """The model of a whole definition (raises BuildError)."""
    if not isinstance(definition, dict):
        raise BuildError("a state machine definition must be a JSON object")
    language = definition.get("QueryLanguage", JSONPATH)
    if language not in (JSONPATH, JSONATA):
        raise BuildError(f"QueryLanguage must be JSONPath or JSONata, not {language!r}", "/QueryLanguage")
    return _machine(definition, "", language)


def _machine(raw: dict, ptr: str, language: str) -> StateMachine:
    states_raw = raw.get("States")
    if not isinstance(states_raw, dict) or not states_raw:
        raise BuildError("States must be a non-empty object", ptr + "/States")
    start_at = raw.get("StartAt")
    if start_at not in states_raw:
        raise BuildError(f"StartAt names no state: {start_at!r}", ptr + "/StartAt")
    states = {}
    for name, body in states_raw.items():
        sptr = f"{ptr}/States/{escape_pointer_token(name)}"
        states[name] = _state(name, body, sptr, language)
    for name, state in states.items():
        for target, where in _targets(state):
            if target not in states:
                raise BuildError(f"no state named {target!r} in this scope",
                                 f"{ptr}/States/{escape_pointer_token(name)}/{where}")
    timeout = raw.get("TimeoutSeconds")
    return StateMachine(start_at, states, language, timeout, raw.get("Comment"))


def _targets(state) -> list[tuple[str, str]]:
    out = []
    if state.next is not None:
        out.append((state.next, "Next"))
    for i, catcher in enumerate(state.catch):
        out.append((catcher.next, f"Catch/{i}/Next"))
    if isinstance(state, ChoiceState):
        for i, rule in enumerate(state.choices):
            out.append((rule.next, f"Choices/{i}/Next"))
        if state.default is not None:
            out.append((state.default, "Default"))
    return out


class _Fields:
    """Reads one state's raw fields, compiling each in the state's query language."""

    def __init__(self, raw: dict, ptr: str, language: str) -> None:
        self.raw = raw
        self.ptr = ptr
        self.language = language

    def error(self, key: str, message: str) -> BuildError:
        return BuildError(message, f"{self.ptr}/{key}")

    def path(self, key: str, reference: bool = False, keep_root: bool = False):
        """(compiled path or None for absent — and for `$` unless keep_root —, is_null)."""
        if key not in self.raw:
            return None, False
        value = self.raw[key]
        if value is None:
            return None, True
        try:
            path = compile_reference_path(value) if reference else compile_path(value)
        except PathSyntaxError as exc:
            raise self.error(key, str(exc)) from None
        identity = path.definite and not path.steps and path.root == "$"
        return (None if identity and not keep_root else path), False

    def value_expression(self, key: str):
        """A `...Path` field that may hold a path or an intrinsic call."""
        if key not in self.raw:
            return None
        try:
            return compile_value_expression(self.raw[key], key)
        except TemplateError as exc:
            raise self.error(key, str(exc)) from None

    def template(self, key: str):
        if key not in self.raw:
            return None
        try:
            return compile_template(self.raw[key])
        except TemplateError as exc:
            raise self.error(key, str(exc)) from None

    def jsonata(self, key: str, value: Any = None, field: str | None = None):
        """A JSONata template for a field (any JSON holding `{% %}` strings)."""
        if value is None:
            if key not in self.raw:
                return None
            value = self.raw[key]
        from ..expr.jsonata import JsonataSyntaxError, compile_template as compile_jsonata

        try:
            return compile_jsonata(value, field or key)
        except JsonataSyntaxError as exc:
            raise self.error(key, str(exc)) from None

    def maybe_expression(self, key: str):
        """A field that is a literal in JSONPath and may be `{% %}` in JSONata."""
        if key not in self.raw:
            return None
        value = self.raw[key]
        if self.language == JSONATA and isinstance(value, str):
            return self.jsonata(key)
        return value


def _state(name: str, raw: Any, ptr: str, machine_language: str):
    if not isinstance(raw, dict):
        raise BuildError("a state must be a JSON object", ptr)
    kind = raw.get("Type")
    language = raw.get("QueryLanguage", machine_language)
    if language not in (JSONPATH, JSONATA):
        raise BuildError(f"QueryLanguage must be JSONPath or JSONata, not {language!r}", ptr + "/QueryLanguage")
    f = _Fields(raw, ptr, language)
    common: dict[str, Any] = dict(
        name=name, type=kind, query_language=language, next=raw.get("Next"),
        end=bool(raw.get("End", False)), comment=raw.get("Comment"), pointer=ptr,
    )
    if language == JSONPATH:
        # An absent field is left to the record's default (None, and False for its *_null twin).
        if "InputPath" in raw:
            common["input_path"], common["input_path_null"] = f.path("InputPath")
        if "OutputPath" in raw:
            common["output_path"], common["output_path_null"] = f.path("OutputPath")
        if "ResultPath" in raw and kind in ("Pass", "Task", "Parallel", "Map"):
            common["result_path"], common["result_path_null"] = f.path("ResultPath", reference=True)
        if "Parameters" in raw and kind != "Map":
            common["parameters"] = f.template("Parameters")
        if "ResultSelector" in raw:
            common["result_selector"] = f.template("ResultSelector")
        if "Assign" in raw:
            common["assign"] = f.template("Assign")
    else:
        if kind != "Map":
            common["parameters"] = f.jsonata("Arguments")
        common["output"] = f.jsonata("Output")
        common["assign"] = f.jsonata("Assign")
    if "Retry" in raw:
        common["retry"] = tuple(_retrier(r, f"{ptr}/Retry/{i}") for i, r in enumerate(raw["Retry"] or []))
    if "Catch" in raw:
        common["catch"] = tuple(_catcher(c, f"{ptr}/Catch/{i}", language) for i, c in enumerate(raw["Catch"] or []))

    if kind == "Pass":
        result = raw.get("Result")
        common["result"], common["has_result"] = result, "Result" in raw
        return construct(PassState, common)
    if kind == "Succeed":
        return construct(SucceedState, common)
    if kind == "Fail":
        if language == JSONPATH:
            return construct(FailState, dict(**common, error=raw.get("Error"), cause=raw.get("Cause"),
                                             error_path=f.value_expression("ErrorPath"),
                                             cause_path=f.value_expression("CausePath")))
        return construct(FailState, dict(**common, error=f.maybe_expression("Error"),
                                         cause=f.maybe_expression("Cause")))
    if kind == "Wait":
        if language == JSONPATH:
            return construct(WaitState, dict(
                **common, seconds=raw.get("Seconds"), timestamp=raw.get("Timestamp"),
                seconds_path=f.path("SecondsPath", keep_root=True)[0] if "SecondsPath" in raw else None,
                timestamp_path=f.path("TimestampPath", keep_root=True)[0] if "TimestampPath" in raw else None))
        return construct(WaitState, dict(**common, seconds=f.maybe_expression("Seconds"),
                                         timestamp=f.maybe_expression("Timestamp")))
    if kind == "Choice":
        choices = tuple(_choice_rule(r, f"{ptr}/Choices/{i}", language)
                        for i, r in enumerate(raw.get("Choices") or []))
        return construct(ChoiceState, dict(**common, choices=choices, default=raw.get("Default")))
    if kind == "Task":
        resource = raw.get("Resource")
        if not isinstance(resource, str):
            raise f.error("Resource", "a Task needs a Resource string")
        return construct(TaskState, dict(
            **common, resource=parse_resource(resource),
            timeout_seconds=f.maybe_expression("TimeoutSeconds"),
            timeout_seconds_path=f.path("TimeoutSecondsPath", keep_root=True)[0] if "TimeoutSecondsPath" in raw else None,
            heartbeat_seconds=f.maybe_expression("HeartbeatSeconds"),
            heartbeat_seconds_path=f.path("HeartbeatSecondsPath", keep_root=True)[0] if "HeartbeatSecondsPath" in raw else None,
            credentials=f.template("Credentials") if language == JSONPATH else f.jsonata("Credentials"),
        ))
    if kind == "Parallel":
        branches = tuple(_machine(b, f"{ptr}/Branches/{i}", language)
                         for i, b in enumerate(raw.get("Branches") or []))
        return construct(ParallelState, dict(**common, branches=branches))
    if kind == "Map":
        return _map_state(raw, ptr, language, f, common)
    raise f.error("Type", f"unknown state type {kind!r}")


def _map_state(raw: dict, ptr: str, language: str, f: _Fields, common: dict) -> MapState:
    processor_raw = raw.get("ItemProcessor") if "ItemProcessor" in raw else raw.get("Iterator")
    key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    if not isinstance(processor_raw, dict):
        raise f.error(key, "a Map state needs an ItemProcessor")
    config = processor_raw.get("ProcessorConfig") or {}
    mode = config.get("Mode", "INLINE")
    processor = _machine(processor_raw, f"{ptr}/{key}", language)
    extra: dict[str, Any] = dict(processor=processor, mode=mode, label=raw.get("Label"),
                                 execution_type=config.get("ExecutionType") or "STANDARD",
                                 item_reader=_item_reader(raw, ptr, language),
                                 result_writer=_result_writer(raw, ptr, language),
                                 item_batcher=_item_batcher(raw, ptr, language))
    if language == JSONPATH:
        extra["items_path"] = f.path("ItemsPath")[0]
        selector_key = "ItemSelector" if "ItemSelector" in raw else "Parameters"
        extra["item_selector"] = f.template(selector_key)
        extra["max_concurrency_path"] = f.path("MaxConcurrencyPath", keep_root=True)[0]
        extra["tolerated_failure_count_path"] = f.path("ToleratedFailureCountPath", keep_root=True)[0]
        extra["tolerated_failure_percentage_path"] = f.path("ToleratedFailurePercentagePath", keep_root=True)[0]
    else:
        extra["items"] = f.jsonata("Items")
        extra["item_selector"] = f.jsonata("ItemSelector")
    extra["max_concurrency"] = f.maybe_expression("MaxConcurrency") or 0
    extra["tolerated_failure_count"] = f.maybe_expression("ToleratedFailureCount")
    extra["tolerated_failure_percentage"] = f.maybe_expression("ToleratedFailurePercentage")
    return construct(MapState, {**common, **extra})


def _arguments(f: _Fields, language: str) -> Any:
    """An S3 reader's or writer's Parameters (JSONPath) or Arguments (JSONata)."""
    return f.template("Parameters") if language == JSONPATH else f.jsonata("Arguments")


def _item_reader(raw: dict, ptr: str, language: str) -> ItemReader | None:
    reader = raw.get("ItemReader")
    if not isinstance(reader, dict):
        return None
    f = _Fields(reader, f"{ptr}/ItemReader", language)
    resource = reader.get("Resource")
    action = resource.rsplit(":", 1)[-1] if isinstance(resource, str) else None
    if action not in ("getObject", "listObjectsV2"):
        raise f.error("Resource", f"an ItemReader reads with s3:getObject or s3:listObjectsV2, not {resource!r}")
    config = reader.get("ReaderConfig") or {}
    c = _Fields(config, f"{ptr}/ItemReader/ReaderConfig", language)
    headers = config.get("CSVHeaders")
    return ItemReader(action, _arguments(f, language), config.get("InputType", "JSON"),
                      config.get("CSVHeaderLocation", "FIRST_ROW"),
                      tuple(headers) if isinstance(headers, list) else None,
                      config.get("CSVDelimiter", "COMMA"), c.maybe_expression("MaxItems"),
                      c.path("MaxItemsPath", keep_root=True)[0])


def _item_batcher(raw: dict, ptr: str, language: str) -> ItemBatcher | None:
    batcher = raw.get("ItemBatcher")
    if not isinstance(batcher, dict):
        return None
    f = _Fields(batcher, f"{ptr}/ItemBatcher", language)
    if language == JSONATA:  # each field may be a {% %} expression
        return ItemBatcher(max_items=f.jsonata("MaxItemsPerBatch"), max_bytes=f.jsonata("MaxInputBytesPerBatch"),
                           batch_input=f.jsonata("BatchInput"))
    return ItemBatcher(batcher.get("MaxItemsPerBatch"), f.path("MaxItemsPerBatchPath", keep_root=True)[0],
                       batcher.get("MaxInputBytesPerBatch"), f.path("MaxInputBytesPerBatchPath", keep_root=True)[0],
                       f.template("BatchInput"))


def _result_writer(raw: dict, ptr: str, language: str) -> ResultWriter | None:
    writer = raw.get("ResultWriter")
    if not isinstance(writer, dict):
        return None
    config = writer.get("WriterConfig")
    config = config if isinstance(config, dict) else {}
    resource = writer.get("Resource")
    return ResultWriter(_arguments(_Fields(writer, f"{ptr}/ResultWriter", language), language),
                        resource if isinstance(resource, str) else None,
                        config.get("OutputType"), config.get("Transformation"))


def _retrier(raw: Any, ptr: str) -> Retrier:
    if not isinstance(raw, dict) or not isinstance(raw.get("ErrorEquals"), list):
        raise BuildError("a Retrier needs ErrorEquals", ptr)
    return Retrier(
        error_equals=tuple(raw["ErrorEquals"]),
        interval_seconds=raw.get("IntervalSeconds", 1),
        max_attempts=raw.get("MaxAttempts", 3),
        backoff_rate=raw.get("BackoffRate", 2.0),
        max_delay_seconds=raw.get("MaxDelaySeconds"),
        jitter=raw.get("JitterStrategy", "NONE"),
    )


def _catcher(raw: Any, ptr: str, language: str) -> Catcher:
    if not isinstance(raw, dict) or not isinstance(raw.get("ErrorEquals"), list):
        raise BuildError("a Catcher needs ErrorEquals", ptr)
    f = _Fields(raw, ptr, language)
    if language == JSONPATH:
        result_path, null = f.path("ResultPath", reference=True)
        return Catcher(tuple(raw["ErrorEquals"]), raw.get("Next"), result_path, null,
                       assign=f.template("Assign"))
    return Catcher(tuple(raw["ErrorEquals"]), raw.get("Next"), output=f.jsonata("Output"),
                   assign=f.jsonata("Assign"))


def _choice_rule(raw: Any, ptr: str, language: str) -> ChoiceRule:
    if not isinstance(raw, dict):
        raise BuildError("a Choice rule must be an object", ptr)
    f = _Fields(raw, ptr, language)
    if language == JSONATA:
        condition = f.jsonata("Condition")
        if condition is None:
            raise f.error("Condition", "a JSONata Choice rule needs a Condition")
        return ChoiceRule(lambda scope: scope.condition(condition), raw.get("Next"),
                          assign=f.jsonata("Assign"), output=f.jsonata("Output"))
    return ChoiceRule(_predicate(raw, ptr), raw.get("Next"), assign=f.template("Assign"))


def _predicate(raw: Any, ptr: str):
    if not isinstance(raw, dict):
        raise BuildError("a Choice rule must be an object", ptr)
    if "And" in raw or "Or" in raw:
        key = "And" if "And" in raw else "Or"
        subs = [_predicate(r, f"{ptr}/{key}/{i}") for i, r in enumerate(raw[key] or [])]
        return rules.all_of(subs) if key == "And" else rules.any_of(subs)
    if "Not" in raw:
        return rules.negate(_predicate(raw["Not"], f"{ptr}/Not"))
    operators = [k for k in raw if k in rules.ALL_OPERATORS]
    if len(operators) != 1:
        raise BuildError("a Choice rule needs exactly one comparison operator", ptr)
    op = operators[0]
    try:
        variable = compile_path(raw.get("Variable"))
    except PathSyntaxError as exc:
        raise BuildError(str(exc), ptr + "/Variable") from None
    operand = raw[op]
    if op.endswith("Path"):
        try:
            operand = compile_path(operand)
        except PathSyntaxError as exc:
            raise BuildError(str(exc), f"{ptr}/{op}") from None
    return rules.comparison(variable, op, operand)

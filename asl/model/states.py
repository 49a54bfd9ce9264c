"""One frozen dataclass per state type; fields hold compiled paths, templates and expressions."""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, field
from typing import Any, Callable, TypeVar

from ..aws import Resource, parse_resource
from ..record import record

JSONPATH = "JSONPath"
JSONATA = "JSONata"
T = TypeVar("T")


@record(frozen=True)
class Retrier:
    """A Retry entry: which errors, how often, how long to wait."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"


@record(frozen=True)
class Catcher:
    """A Catch entry: which errors, where the error output goes, and the next state."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Any = None          # compiled reference path; None with result_path_null
    result_path_null: bool = False
    output: Any = None               # JSONata Output template
    assign: Any = None               # Assign template (either language)


@record(frozen=True)
class ChoiceRule:
    """A top-level Choice rule: `test(input, resolve, variables)` and the state to go to."""

    test: Callable[..., bool]
    next: str
    assign: Any = None
    output: Any = None


@record(frozen=True)
class State:
    """Fields every state may carry (unused ones stay at their defaults)."""

    name: str
    type: str
    query_language: str = JSONPATH
    next: str | None = None
    end: bool = False
    comment: str | None = None
    input_path: Any = None        # compiled Path, None for `$`; input_path_null for null
    input_path_null: bool = False
    output_path: Any = None
    output_path_null: bool = False
    parameters: Any = None        # Template (JSONPath Parameters / JSONata Arguments)
    result_selector: Any = None
    result_path: Any = None       # compiled reference path, None for `$`
    result_path_null: bool = False
    output: Any = None            # JSONata Output template
    assign: Any = None            # Assign template
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    # Where the state is in its definition (e.g. /States/Map/ItemProcessor/States/Charge), for messages
    # that name its line and column through the document's source map.
    pointer: str = field(default="", compare=False)
    # Whether this state evaluates JSONata (else JSONPath): a plain attribute, read on every transition.
    is_jsonata: bool = field(init=False, repr=False, compare=False, default=False)
    # JSONPath with no InputPath: the effective input is the input (or Parameters over it).
    plain_input: bool = field(init=False, repr=False, compare=False, default=False)
    # JSONPath with no ResultSelector, Assign, ResultPath or OutputPath: the output is the result.
    plain_output: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        jsonata = self.query_language == JSONATA
        object.__setattr__(self, "is_jsonata", jsonata)
        object.__setattr__(self, "plain_input", not jsonata and self.input_path is None and not self.input_path_null)
        object.__setattr__(self, "plain_output", not jsonata and self.result_selector is None and self.assign is None
                           and self.result_path is None and not self.result_path_null
                           and self.output_path is None and not self.output_path_null)


@record(frozen=True)
class PassState(State):
    """Passes its input to its output, optionally injecting a fixed Result."""

    result: Any = None
    has_result: bool = False


@record(frozen=True)
class TaskState(State):
    """Calls a resource: a local handler, an SNS/SQS stub, or a mocked service."""

    resource: Resource = parse_resource("")
    timeout_seconds: Any = None        # int, or a compiled path/expression (see *_path flags)
    timeout_seconds_path: Any = None
    heartbeat_seconds: Any = None
    heartbeat_seconds_path: Any = None
    credentials: Any = None            # compiled Credentials template (either language)


@record(frozen=True)
class ChoiceState(State):
    """Picks the first rule that matches; Default otherwise."""

    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@record(frozen=True)
class WaitState(State):
    """Delays for Seconds / until Timestamp (or the Path forms, or JSONata expressions)."""

    seconds: Any = None
    seconds_path: Any = None
    timestamp: Any = None
    timestamp_path: Any = None


@record(frozen=True)
class SucceedState(State):
    """Ends the execution (or branch / iteration) successfully."""


@record(frozen=True)
class FailState(State):
    """Ends the execution with an error and a cause."""

    error: Any = None
    cause: Any = None
    error_path: Any = None
    cause_path: Any = None


@record(frozen=True)
class StateMachine:
    """A machine, a Parallel branch or a Map's ItemProcessor."""

    start_at: str
    states: dict
    query_language: str = JSONPATH
    timeout_seconds: int | None = None
    comment: str | None = None


@record(frozen=True)
class ParallelState(State):
    """Runs every branch on the same input; the output is the array of branch outputs."""

    branches: tuple[StateMachine, ...] = ()


@record(frozen=True)
class MapState(State):
    """Runs its ItemProcessor once per item of an array."""

    processor: StateMachine | None = None
    mode: str = "INLINE"
    execution_type: str = "STANDARD"       # a Distributed Map's children: STANDARD or EXPRESS
    items_path: Any = None                 # compiled reference path, None for `$`
    items: Any = None                      # JSONata Items template
    item_selector: Any = None              # Template
    max_concurrency: Any = 0               # int or JSONata template
    max_concurrency_path: Any = None
    tolerated_failure_count: Any = None
    tolerated_failure_count_path: Any = None
    tolerated_failure_percentage: Any = None
    tolerated_failure_percentage_path: Any = None
    item_batcher: "ItemBatcher | None" = None
    label: str | None = None
    item_reader: "ItemReader | None" = None
    result_writer: "ResultWriter | None" = None


@record(frozen=True)
class ItemReader:
    """A Distributed Map's ItemReader: which S3 action, its arguments, how the object is read."""

    action: str                            # "getObject" or "listObjectsV2"
    parameters: Any = None                 # Template (JSONPath Parameters) or JSONata Arguments
    input_type: str = "JSON"               # JSON, JSONL, CSV, MANIFEST
    csv_header_location: str = "FIRST_ROW"
    csv_headers: tuple[str, ...] | None = None
    csv_delimiter: str = "COMMA"
    max_items: Any = None                  # int, or a JSONata template
    max_items_path: Any = None             # compiled path (may name a variable)


@record(frozen=True)
class ItemBatcher:
    """Items grouped into batches; each field literal, a `...Path`, or (JSONata) an expression."""

    max_items: Any = None
    max_items_path: Any = None
    max_bytes: Any = None
    max_bytes_path: Any = None
    batch_input: Any = None                # Template or JSONata template


@record(frozen=True)
class ResultWriter:
    """A Distributed Map's ResultWriter: where the child executions' results go in S3."""

    parameters: Any = None                 # Template / JSONata template giving Bucket and Prefix
    resource: str | None = None            # arn:aws:states:::s3:putObject, or None: WriterConfig alone, no export
    output_type: str | None = None         # WriterConfig.OutputType: JSON, JSONL
    transformation: str | None = None      # WriterConfig.Transformation: NONE, COMPACT, FLATTEN


# cls -> (defaults of its init fields, names it accepts, names it requires, __post_init__)
_LAYOUTS: dict[type, tuple[dict, frozenset, frozenset, Any]] = {}


def construct(cls: type[T], values: dict[str, Any]) -> T:
    """`cls(**values)` for a model record, with the keyword checks done as two set operations.

    The builder makes one record per state: the generic keyword-by-keyword `__init__` was a
    fifth of building a large definition. Same fields, defaults and `__post_init__` as `cls(**values)`.
    """
    layout = _LAYOUTS.get(cls)
    if layout is None:
        fields = [f for f in dataclasses.fields(cls) if f.init]
        if any(f.default_factory is not MISSING for f in fields):
            raise TypeError(f"construct does not build {cls.__name__}: it has a default_factory")
        layout = ({f.name: f.default for f in fields if f.default is not MISSING},
                  frozenset(f.name for f in fields), frozenset(f.name for f in fields if f.default is MISSING),
                  getattr(cls, "__post_init__", None))
        _LAYOUTS[cls] = layout
    defaults, known, required, post_init = layout
    if not known.issuperset(values) or not required.issubset(values):
        return cls(**values)  # let the real __init__ say what is wrong
    obj = object.__new__(cls)
    state = obj.__dict__
    state.update(defaults)
    state.update(values)
    if post_init is not None:
        post_init(obj)
    return obj

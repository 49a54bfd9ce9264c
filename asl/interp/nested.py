"""Parallel and Map: states that run nested state machines.

Branches and iterations run one after another in this process, each in its own Frame (it
reads outer variables but assigns only its own). In time they still overlap as on AWS: each
runs in a lane, a fork of the clock taken when a lane is free (every branch, and up to
MaxConcurrency iterations, start together), and the state ends when its last lane does — on
the real clock, by sleeping once until then (see clock.LaneClock).
"""

from __future__ import annotations

import heapq
from collections import ChainMap
from contextlib import contextmanager
from typing import Any, Iterator

from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from ..history import History
from .dataflow import apply_template, select
from .pipeline import QUERY_ERROR, effective_input, finish, jsonata_value, next_state
from .dataflow import path_value
from . import reader as reader_io  # ItemReader over the local S3 folder
from . import writer as writer_io  # ResultWriter: WriterConfig, result files
from .scope import Frame

# `$$.Map.Item.Source` of an item taken from the state's input (the context-object page of the
# Developer Guide; an item an ItemReader read names its S3 object instead).
STATE_DATA = "STATE_DATA"


class _Lanes:
    """Concurrency in time: `width` lanes, each a fork of the clock."""

    def __init__(self, interp: Any, width: int, jobs: int) -> None:
        self.interp = interp
        self.base = interp.clock
        self.enabled = jobs > 0
        self.start = self.base.now()
        self.end = self.start
        # With a lane per job every job starts at the state's start: no queue needed.
        self.queue = None if width <= 0 or width >= jobs else [(self.start, i) for i in range(width)]

    @contextmanager
    def lane(self) -> Iterator[None]:
        """Run the body on the clock of the lane that frees up first."""
        if not self.enabled:
            yield
            return
        begin, index = heapq.heappop(self.queue) if self.queue is not None else (self.start, 0)
        clock = self.base.fork(begin)
        self.interp.use_clock(clock)
        try:
            yield
        finally:
            finished = clock.now()
            self.end = max(self.end, finished)
            if self.queue is not None:
                heapq.heappush(self.queue, (finished, index))
            self.interp.use_clock(self.base)

    def close(self) -> None:
        """The state goes on when its last lane is done."""
        if self.enabled:
            self.base.advance_to(self.end)


def run_parallel(interp: Any, state: Any, raw_input: Any, scope: Any) -> Any:
    """Parallel: every branch on the same input; the output is their outputs in branch order."""
    parameters = effective_input(state, raw_input, scope)
    history = interp.history
    frame = scope.frame
    started = history.add("ParallelStateStarted", frame.cursor)
    frame.cursor = started
    outputs = []
    lanes = _Lanes(interp, len(state.branches), len(state.branches))
    try:
        for branch in state.branches:
            child = frame.child(started)
            try:
                with lanes.lane():
                    outputs.append(interp.run_machine(branch, parameters, child))
            except StatesError:
                frame.cursor = child.cursor
                raise
    finally:
        lanes.close()
    frame.cursor = history.last_id
    history.add("ParallelStateSucceeded", frame.cursor)
    return finish(interp, state, raw_input, outputs, scope, next_state(state))


# ---------------------------------------------------------------- Map

def map_items(state: Any, raw_input: Any, scope: Any) -> tuple[list, Any]:
    """(items, the effective input ItemSelector sees)."""
    if state.is_jsonata:
        if state.items is not None:
            from ..expr.jsonata import evaluate_array

            return evaluate_array(state.items, scope.states_binding(raw_input), scope.frame.variables,
                                  "Items"), raw_input
        items = raw_input
        if not isinstance(items, list):
            raise StateEvaluationError(f"Map state input must be an array but was: {compact_json(items)}",
                                       QUERY_ERROR)
        return items, raw_input
    effective = select(state.input_path, state.input_path_null, raw_input, scope)
    items = select(state.items_path, False, effective, scope)  # same wording as InputPath's
    if not isinstance(items, list):
        raise StateEvaluationError(f"Map state input must be an array but was: {compact_json(items)}")
    return items, effective


def map_number(value: Any, path: Any, label: str, raw_input: Any, scope: Any, kind: type) -> Any:
    """MaxConcurrency, ToleratedFailure*, ItemBatcher limits: literal, Path form, or JSONata expression."""
    if path is not None:
        value = path_value(path, raw_input, scope, f"{label}Path field")
        if isinstance(value, str):
            try:
                value = kind(value)
            except ValueError:
                pass
        ok = type(value) is int or (kind is float and type(value) is float)
        # A percentage is 0..100 (the API's ToleratedFailurePercentage range); above it fails like a bad value.
        if not ok or value < 0 or (kind is float and value > 100):
            shown = value if isinstance(value, str) else compact_json(value)
            raise StateEvaluationError(
                f'The {label}Path field refers to value "{shown}" which is not a valid '
                f"{'integer' if kind is int else 'number'}: {path.text}")
        return value
    if value is not None and hasattr(value, "evaluate"):
        from ..expr.jsonata import evaluate_int, evaluate_number

        states = scope.states_binding(raw_input)
        if kind is int:
            return evaluate_int(value, states, scope.frame.variables, label)
        return evaluate_number(value, states, scope.frame.variables, label, minimum=0, maximum=100)
    return value


def run_map(interp: Any, state: Any, raw_input: Any, scope: Any) -> Any:
    """Map: the ItemProcessor once per item, outputs in item order, tolerated failures honoured."""
    reader = state.item_reader
    if reader is None:
        items, effective = map_items(state, raw_input, scope)
    else:  # ItemsPath does not apply to what a reader reads (as recorded)
        items = None
        effective = raw_input if state.is_jsonata else select(state.input_path, state.input_path_null,
                                                              raw_input, scope)
    max_concurrency = map_number(state.max_concurrency, state.max_concurrency_path, "MaxConcurrency",
                              raw_input, scope, int)
    tolerated_count = map_number(state.tolerated_failure_count, state.tolerated_failure_count_path,
                              "ToleratedFailureCount", raw_input, scope, int)
    tolerated_pct = map_number(state.tolerated_failure_percentage, state.tolerated_failure_percentage_path,
                            "ToleratedFailurePercentage", raw_input, scope, float)
    history = interp.history
    frame = scope.frame
    distributed = state.mode == "DISTRIBUTED"
    # With a reader the items are not known yet: AWS records length 0.
    frame.cursor = history.add("MapStateStarted", frame.cursor, {"length": 0 if items is None else len(items)})
    source = STATE_DATA
    s3 = interp.env.s3
    if reader is not None:
        limit = reader_io.max_items(reader, raw_input, scope)  # a bad value fails the state before the run
        args = reader_io.arguments(reader.parameters, state, effective, raw_input, scope)
    settings = _batch_settings(state, raw_input, effective, scope) if state.item_batcher else None
    map_run_arn = interp.info.map_run_arn(state) if distributed else None
    if distributed:
        frame.cursor = run_started = history.add("MapRunStarted", frame.cursor, {"mapRunArn": map_run_arn})
    if reader is not None:
        try:
            items, source = reader_io.read_items(reader, s3, args, limit)
        except StatesError as err:
            if distributed:
                frame.cursor = history.add("MapRunFailed", frame.cursor, _error(err))
            raise
    batches = _batches(items, settings) if settings is not None else None
    inputs = batches if batches is not None else items
    lanes = _Lanes(interp, int(max_concurrency or 0), len(inputs))
    writer = state.result_writer if distributed else None
    records = writer_io.ChildRecords(map_run_arn, state.execution_type == "EXPRESS") if writer else None
    writer_args = None
    if writer is not None and writer.resource is not None:
        writer_args = reader_io.arguments(writer.parameters, state, effective, raw_input, scope)
    try:
        results = _run_items(interp, state, raw_input, scope, inputs, batches, effective, lanes,
                             frame.cursor, tolerated_count, tolerated_pct, distributed, source, records)
    except StatesError:
        if writer_args is not None:  # a failed Map Run's results are written too (the state fails as it did)
            records.pending((i, inputs[i]) for i in range(len(records), len(inputs)))
            try:
                writer_io.write_results(s3, writer_args, writer, records)
            except StatesError:
                pass
        raise
    finally:
        lanes.close()
    if writer_args is not None:
        try:
            results = writer_io.write_results(s3, writer_args, writer, records)
        except StatesError as err:
            frame.cursor = history.add("MapRunFailed", frame.cursor, _error(err))
            raise
    elif writer is not None:  # WriterConfig alone: the transformed results, nothing exported
        results = writer_io.transformed_output(writer, records)
    if distributed:
        history.add("MapRunSucceeded", frame.cursor)
        # MapStateExited follows MapRunStarted, as AWS records it since 2024-11.
        frame.cursor = run_started
    else:
        frame.cursor = history.last_id
    history.add("MapStateSucceeded", history.last_id)
    return finish(interp, state, raw_input, results, scope, next_state(state))


def _run_items(interp: Any, state: Any, raw_input: Any, scope: Any, inputs: list, batches: Any,
               effective: Any, lanes: _Lanes, worker: int, tolerated_count: Any, tolerated_pct: Any,
               distributed: bool, source: str = STATE_DATA, records: Any = None) -> list:
    """Run the iterations; their outputs (or tolerated errors) in item order.

    records: when given, gets one entry per child execution as a ResultWriter writes it.
    """
    history = interp.history
    frame = scope.frame
    selector = state.item_selector
    results: list = []
    failures = 0
    for index, item in enumerate(inputs):
        if batches is None and selector is not None:
            scope.map_item = (index, item, source)
            try:
                if state.is_jsonata:
                    item = jsonata_value(selector, scope.states_binding(raw_input), scope)
                else:
                    item = apply_template(selector, effective, scope)
            finally:
                scope.map_item = None
        times: list = []  # the child's start and stop (a ResultWriter's record)
        try:
            with lanes.lane():
                times.append(interp.now())
                try:
                    output, worker = _iteration(interp, state, index, item, frame, worker, distributed)
                finally:
                    times.append(interp.now())
        except StatesError as err:
            worker = getattr(err, "cursor", worker)
            failures += 1
            if records is not None:
                records.add(index, item, "FAILED", (err.name, err.cause), *times)
            if _exceeds(failures, len(inputs), tolerated_count, tolerated_pct):
                frame.cursor = worker
                if tolerated_count is not None or tolerated_pct is not None:
                    if distributed:
                        frame.cursor = history.add("MapRunFailed", frame.cursor)
                    raise StatesError("States.ExceedToleratedFailureThreshold",
                                      "The specified tolerated failure threshold was exceeded") from None
                if distributed:
                    frame.cursor = history.add("MapRunFailed", frame.cursor, _error(err))
                raise
            results.append({"Error": err.name, "Cause": err.cause})
            continue
        results.append(output)
        if records is not None:
            records.add(index, item, "SUCCEEDED", output, *times)
    return results


def _iteration(interp: Any, state: Any, index: int, item: Any, frame: Any, worker: int,
               distributed: bool) -> tuple[Any, int]:
    """Run one item; return its output and the cursor the next iteration chains from."""
    history = interp.history
    if distributed:
        # A Distributed Map's iterations are child executions with histories of their own, and
        # (the guide, "Variable scope") they cannot read the variables of outer scopes.
        saved = interp.history
        interp.history = History(interp.clock)
        try:
            return interp.run_machine(state.processor, item, Frame(0, ChainMap())), worker
        finally:
            interp.history = saved
    details = {"index": index, "name": state.name}
    started = history.add("MapIterationStarted", worker, details)
    child = frame.child(started)
    try:
        output = interp.run_machine(state.processor, item, child)
    except StatesError as err:
        history.add("MapIterationFailed", child.cursor, details)
        err.cursor = child.cursor  # where the Map's own failure event chains from
        raise
    history.add("MapIterationSucceeded", child.cursor, details)
    return output, child.cursor


def _exceeds(failures: int, total: int, count: Any, pct: Any) -> bool:
    if count is None and pct is None:
        return True
    if count is not None and failures > count:
        return True
    if pct is not None and total and failures * 100.0 / total > pct:
        return True
    return False


def _error(err: StatesError) -> dict:
    return {k: v for k, v in (("error", err.name), ("cause", err.cause)) if v is not None}


def _batch_settings(state: Any, raw_input: Any, effective: Any, scope: Any) -> tuple[Any, Any, Any]:
    """ItemBatcher's (MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput), evaluated once per state."""
    batcher = state.item_batcher
    if state.is_jsonata:
        from ..expr.jsonata import evaluate_int

        bound = scope.states_binding(raw_input), scope.frame.variables
        max_items, max_bytes = (None if v is None else evaluate_int(v, *bound, label, minimum=1)
                                for v, label in ((batcher.max_items, "MaxItemsPerBatch"),
                                                 (batcher.max_bytes, "MaxInputBytesPerBatch")))
        return max_items, max_bytes, None if batcher.batch_input is None else batcher.batch_input.evaluate(*bound)
    max_items = map_number(batcher.max_items, batcher.max_items_path, "MaxItemsPerBatch", raw_input, scope, int)
    max_bytes = map_number(batcher.max_bytes, batcher.max_bytes_path, "MaxInputBytesPerBatch", raw_input, scope, int)
    return max_items, max_bytes, None if batcher.batch_input is None else apply_template(batcher.batch_input,
                                                                                         effective, scope)


def _batches(items: list, settings: tuple[Any, Any, Any]) -> list:
    """ItemBatcher: items grouped into `{"Items": [...], "BatchInput": ...}` objects."""
    max_items, max_bytes, batch_input = settings
    max_items = max_items or len(items) or 1
    batches, current, size = [], [], 0
    for item in items:
        item_size = len(compact_json(item).encode())
        if current and (len(current) >= max_items or (max_bytes and size + item_size > max_bytes)):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        batches.append(current)
    if batch_input is None:
        return [{"Items": batch} for batch in batches]
    return [{"Items": batch, "BatchInput": batch_input} for batch in batches]

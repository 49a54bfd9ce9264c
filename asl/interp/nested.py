"""Parallel and Map: states that run nested state machines.

Each branch and iteration runs in its own Frame (it reads outer variables but assigns only its
own) and in a lane, a fork of the clock taken when a lane is free (every branch, and up to
MaxConcurrency iterations, start together); the state ends when its last lane does — on the
real clock, by sleeping once until then (see clock.LaneClock). On the virtual clock the lanes
run one after another in this thread (`_Lanes`); on the others in threads (lanes.run_lanes), so
Tasks that wait on their services overlap in real time.
"""

from __future__ import annotations

import heapq
from collections import ChainMap
from typing import Any, Callable

from ..errors import StateEvaluationError, StatesError
from ..expr.template import compact_json
from ..history import History, HistoryFull, history_bound
from .dataflow import apply_template, select
from .pipeline import QUERY_ERROR, effective_input, finish, jsonata_value, next_state
from .dataflow import path_value
from . import lanes as lanes_io  # Parallel / Map lanes in threads on the real and fast clocks
from . import redrive
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
        self._unused: Any = None  # a lane's clock whose time did not move: the next lane from then takes it

    def run(self, job: Callable[[int], bool], job_index: int) -> bool:
        """job(job_index) on the clock of the lane that frees up first (a call, not a `with`: once per Map item)."""
        if not self.enabled:
            return job(job_index)
        begin, index = heapq.heappop(self.queue) if self.queue is not None else (self.start, 0)
        clock = self._unused
        if clock is None or clock.now() is not begin:
            clock = self.base.fork(begin)
        self._unused = None
        self.interp.use_clock(clock)
        try:
            return job(job_index)
        finally:
            finished = clock.now()
            if finished is begin:
                # Nothing advanced it (a virtual clock moves only by a new moment): a fork taken at
                # `begin` would be the same clock, so the next job from `begin` reuses it.
                self._unused = clock
            elif finished > self.end:
                self.end = finished
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
    plan, frame.lanes = frame.lanes, None  # a redrive: the branches that succeeded keep their outputs
    outputs = _run_branches(interp, state, parameters, frame, started, plan)
    frame.cursor = history.last_id
    history.add("ParallelStateSucceeded", frame.cursor)
    return finish(interp, state, raw_input, outputs, scope, next_state(state))


def _run_branches(interp: Any, state: Any, parameters: Any, frame: Any, started: int,
                  plan: redrive.Lanes | None) -> list:
    """The branches' outputs: in threads on the real and fast clocks, else one after another (each on a
    lane of simulated time); the first to fail stops the others and fails the state."""
    branches = state.branches
    total = len(branches)
    outputs: list = [None] * total
    done: set[int] = set()
    points: dict[int, dict | None] = {}  # where the unsuccessful branches stopped, for a redrive
    failed: list = []

    def branch(index: int) -> bool:
        if plan is not None and index in plan.done:
            outputs[index] = plan.done[index]
            done.add(index)
            return False
        child = frame.child(started)
        try:
            outputs[index] = redrive.resume_machine(interp, branches[index], child, plan and plan.restart(index),
                                                    parameters)
        except StatesError as err:
            points[index] = redrive.taken(err)
            failed.append((err, child.cursor))
            return True
        except BaseException as err:  # stopped by a sibling, timed out or aborted
            points[index] = redrive.taken(err)
            raise
        done.add(index)
        return False

    try:
        if lanes_io.threaded(interp):
            lanes_io.run_lanes(interp, total, total, branch)
        else:
            lanes = _Lanes(interp, total, total)
            try:
                for index in range(total):
                    if lanes.run(branch, index):
                        break
            finally:
                lanes.close()
    except BaseException as err:
        _lanes_kept(err, total, outputs, done, points, plan)
        raise
    if failed:
        err, frame.cursor = failed[0]
        _lanes_kept(err, total, outputs, done, points, plan)
        raise err
    return outputs


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
    return items_at(state, effective, scope), effective


def items_at(state: Any, effective: Any, scope: Any) -> list:
    """A JSONPath Map's ItemsPath over its effective input; AWS's message when it is no array."""
    items = select(state.items_path, False, effective, scope)  # a missing path: InputPath's wording
    if not isinstance(items, list):
        # AWS names the path against its own root: `$$.Execution.Input` reads "$.Execution.Input"
        # (TestState's recordings); JSONata's "Map state input must be an array" is another check.
        text = "$" if state.items_path is None else state.items_path.text
        raise StateEvaluationError(f'Reference path "{text[1:] if text.startswith("$$") else text}" '
                                   "must point to array.")
    return items


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
    from . import reader as reader_io  # ItemReader over the local S3 folder (here: a run without Map skips it)
    from . import writer as writer_io  # ResultWriter: WriterConfig, result files

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
    plan, frame.lanes = frame.lanes, None  # a redrive: the iterations that succeeded keep their outputs
    distributed = state.mode == "DISTRIBUTED"
    # With a reader the items are not known yet: AWS records length 0.
    frame.cursor = history.add("MapStateStarted", frame.cursor, {"length": 0 if items is None else len(items)})
    source = STATE_DATA
    s3 = interp.env.s3
    if reader is not None:
        limit = reader_io.max_items(reader, raw_input, scope)  # a bad value fails the state before the run
        args = reader_io.arguments(reader.parameters, state, effective, raw_input, scope)
    settings = _batch_settings(state, raw_input, effective, scope) if state.item_batcher else None
    map_run_arn = None
    if distributed:  # a redriven Map Run keeps its ARN
        map_run_arn = plan.map_run if plan is not None and plan.map_run else interp.info.map_run_arn(state)
    if distributed and plan is not None:  # the failed Map Run goes on, redriven with its parent
        frame.cursor = run_started = history.add("MapRunRedriven", frame.cursor, {
            "mapRunArn": map_run_arn, "redriveCount": interp.info.redrive_count})
    elif distributed:
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
                             frame.cursor, tolerated_count, tolerated_pct, distributed, source, records, plan,
                             int(max_concurrency or 0))
    except BaseException as err:
        if map_run_arn is not None and getattr(err, "redrive_lanes", None) is not None:
            err.redrive_lanes["map_run"] = map_run_arn  # the Map Run a redrive continues
        if not isinstance(err, StatesError):
            raise
        if writer_args is not None:  # a failed Map Run's results are written too (the state fails as it did)
            records.pending(inputs)
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
               distributed: bool, source: str = STATE_DATA, records: Any = None,
               plan: redrive.Lanes | None = None, width: int = 0) -> list:
    """Run the iterations; their outputs (or tolerated errors) in item order.

    records: when given, gets one entry per child execution as a ResultWriter writes it.
    plan: a redrive's: the iterations that succeeded (kept) and where the others stopped.
    width: MaxConcurrency (0: unbounded), for lanes in threads.
    """
    run = _Items(interp, state, raw_input, scope, inputs, batches, effective, worker, tolerated_count,
                 tolerated_pct, distributed, source, records is not None, plan)
    try:
        if lanes_io.threaded(interp):
            limit = lanes_io.DISTRIBUTED_WIDTH if distributed else lanes_io.INLINE_WIDTH
            lanes_io.run_lanes(interp, len(inputs), min(width, limit) if width > 0 else limit, run.item)
        else:
            for index in range(len(inputs)):
                if lanes.run(run.item, index):
                    break
    except BaseException as err:  # timed out or aborted: a redrive reruns what did not succeed
        _lanes_kept(err, len(inputs), run.results, run.done, run.points, plan)
        raise
    finally:
        if records is not None:  # in item order, whatever order the lanes ended in
            for record in run.records:
                if record is not None:
                    records.add(*record)
    if run.failure is not None:
        run.fail()
    return run.results


class _Items:
    """One Map state's iterations: each item's run and what it adds up to (outputs, failures, records)."""

    def __init__(self, interp: Any, state: Any, raw_input: Any, scope: Any, inputs: list, batches: Any,
                 effective: Any, worker: int, tolerated_count: Any, tolerated_pct: Any, distributed: bool,
                 source: str, keep_records: bool, plan: redrive.Lanes | None) -> None:
        self.interp, self.state, self.raw_input, self.scope = interp, state, raw_input, scope
        self.inputs, self.batches, self.effective, self.source = inputs, batches, effective, source
        self.tolerated = (tolerated_count, tolerated_pct)
        self.distributed = distributed
        self.worker = worker  # the cursor the next iteration chains from: the last one's end
        self.results: list = [None] * len(inputs)
        self.records: list = [None] * len(inputs) if keep_records else []
        self.failures = 0
        self.failure: StatesError | None = None
        self.failure_cursor = worker
        self.plan = plan
        self.done: set[int] = set()  # the iterations that succeeded (tolerated failures did not)
        self.points: dict[int, dict | None] = {}  # where the unsuccessful ones stopped, for a redrive

    def item(self, index: int) -> bool:
        """Run one item; True when its failure fails the state (the others stop)."""
        state, scope, interp, plan = self.state, self.scope, self.interp, self.plan
        item = self.inputs[index]
        if plan is not None and index in plan.done:
            self.results[index] = plan.done[index]
            self.done.add(index)
            if self.records:
                self.records[index] = (index, item, "SUCCEEDED", plan.done[index])
            return False
        if self.batches is None and state.item_selector is not None:
            scope.map_item = (index, item, self.source)
            try:
                if state.is_jsonata:
                    item = jsonata_value(state.item_selector, scope.states_binding(self.raw_input), scope)
                else:
                    item = apply_template(state.item_selector, self.effective, scope)
            finally:
                scope.map_item = None
        started = interp.now() if self.records else None  # the child's start (a ResultWriter's record)
        try:
            output, self.worker = _iteration(interp, state, index, item, scope.frame, self.worker,
                                             self.distributed, plan and plan.restart(index))
        except StatesError as err:
            if self.records:
                self.records[index] = (index, item, "FAILED", (err.name, err.cause), started, interp.now())
            self.points[index] = redrive.taken(err)
            self.worker = getattr(err, "cursor", self.worker)
            self.failures += 1
            if _exceeds(self.failures, len(self.inputs), *self.tolerated):
                self.failure, self.failure_cursor = err, self.worker
                return True
            self.results[index] = {"Error": err.name, "Cause": err.cause}
            return False
        except BaseException as err:  # stopped, timed out or aborted: where it was, for a redrive
            self.points[index] = redrive.taken(err)
            raise
        self.results[index] = output
        self.done.add(index)
        if self.records:
            self.records[index] = (index, item, "SUCCEEDED", output, started, interp.now())
        return False

    def fail(self) -> None:
        """The failure that fails the state, with the Map Run's event for a Distributed Map."""
        err, history, frame = self.failure, self.interp.history, self.scope.frame
        _lanes_kept(err, len(self.inputs), self.results, self.done, self.points, self.plan)
        frame.cursor = self.failure_cursor
        if self.tolerated != (None, None):
            if self.distributed:
                frame.cursor = history.add("MapRunFailed", frame.cursor)
            raise redrive.carry(err, StatesError("States.ExceedToleratedFailureThreshold",
                                                 "The specified tolerated failure threshold was exceeded")) from None
        if self.distributed:
            frame.cursor = history.add("MapRunFailed", frame.cursor, _error(err))
        raise err


def _lanes_kept(err: BaseException, total: int, outputs: list, done: set, points: dict, plan: Any) -> None:
    """A Parallel / Map fails: the lanes that succeeded (kept by a redrive) and where the others restart.

    points: where the lanes that ran and did not succeed stopped; a lane that did not run restarts
    where the plan of an earlier redrive had it (or keeps that plan's output).
    """
    kept, redo = {}, {}
    for index in range(total):
        if index in done:
            kept[index] = outputs[index]
        elif index in points:
            redo[index] = points[index]
        elif plan is not None and index in plan.done:
            kept[index] = plan.done[index]
        else:
            redo[index] = plan.restart(index) if plan is not None else None
    redrive.lanes_failed(err, kept, redo)


def _iteration(interp: Any, state: Any, index: int, item: Any, frame: Any, worker: int,
               distributed: bool, point: dict | None = None) -> tuple[Any, int]:
    """Run one item (a redrive's from where it stopped); its output and the cursor the next chains from."""
    history = interp.history
    if distributed:
        # A Distributed Map's iterations are child executions with histories of their own, and
        # (the guide, "Variable scope") they cannot read the variables of outer scopes.
        # A child that never ends (a loop) is bounded as an execution is: it fails, and the Map Run with it.
        saved = interp.history
        interp.history = History(interp.clock)
        limit, cause = history_bound(state.execution_type == "EXPRESS")
        interp.history.limit(limit)
        try:
            return redrive.resume_machine(interp, state.processor, Frame(0, ChainMap()), point, item), worker
        except HistoryFull:
            raise StatesError("States.Runtime", cause) from None
        finally:
            interp.history = saved
    details = {"index": index, "name": state.name}
    started = history.add("MapIterationStarted", worker, details)
    child = frame.child(started)
    try:
        output = redrive.resume_machine(interp, state.processor, child, point, item)
    except StatesError as err:
        history.add("MapIterationFailed", child.cursor, details)
        err.cursor = child.cursor  # where the Map's own failure event chains from
        raise
    except lanes_io.Stopped:  # another iteration failed the state while this one ran
        history.add("MapIterationAborted", child.cursor, details)
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

"""The handler worker process: what it imports, its path, its context, and its pipes with large messages."""

import json
import sys

import pytest

from asl.api import machine_from_definition, run_machine
from asl.resources import lambda_runtime

HANDLERS = '''
import sys

def modules(event, context):
    return sorted(name for name in sys.modules if name == "asl" or name.startswith(("asl.", "_sfn_worker")))

def context_of(event, context):
    return {"arn": context.invoked_function_arn, "name": context.function_name,
            "rid": context.aws_request_id, "version": context.function_version}

def stdlib_and_cwd(event, context):
    import http.client
    import from_the_working_folder
    return {"http": http.client.__name__, "cwd": from_the_working_folder.VALUE}

def echo(event, context):
    return event

def naps(event, context):
    import time
    time.sleep(event)
    return event

def heavy_modules(event, context):
    return sorted(name for name in event if name in sys.modules)

def answers_in_the_call(event, context):
    from asl.callbacks import send_task_success  # imported only now, inside the call
    send_task_success(event["token"], {"answered": "in the call"})
    return "submitted"
'''

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
NAMES = ["modules", "context_of", "stdlib_and_cwd", "echo", "answers_in_the_call", "heavy_modules", "naps"]


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    module = f"sfn_test_worker_{tmp_path.name.replace('-', '_')}"
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / f"{module}.py").write_text(HANDLERS)
    (tmp_path / "handlers" / "resources.yaml").write_text(
        "handlers:\n" + "".join(f"  {name}: {module}:{name}\n" for name in NAMES))
    # The worker starts in the working folder, which is first on its path (as `python -m` has it).
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / "from_the_working_folder.py").write_text("VALUE = 'found'\n")
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path / "handlers"


def run(workspace, state, input=None):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True, **state}}}
    machine = machine_from_definition(definition, validate=False)
    return run_machine(machine, input or {}, resources=workspace / "resources.yaml", callback_wait=0.0)


def test_the_worker_is_ready_without_importing_sfns_library(workspace):
    result = run(workspace, {"Resource": ARN + "modules"})
    assert result.status == "SUCCEEDED"
    assert result.output == ["_sfn_worker_lambda_runtime", "_sfn_worker_wire"]


def _heavy_modules_target(workspace):
    return f"sfn_test_worker_{workspace.parent.name.replace('-', '_')}:heavy_modules"


def _heavy_modules_call(worker, workspace, names):
    return worker.send({"op": "call", "target": _heavy_modules_target(workspace), "event": names,
                        "name": "heavy_modules", "arn": ARN + "heavy_modules", "timeout": 3, "request_id": "r"})


def test_a_request_waiting_at_start_runs_before_typing_or_queue_are_imported(workspace):
    # Each is ~1 ms of the worker's start: typing is warmed up only while the worker is idle, and queue
    # waits for a callback. Only what the interpreter's own start (site) brings in may be there.
    import subprocess

    from asl.resources.process import Worker

    heavy = ["typing", "queue"]
    bare = subprocess.run([sys.executable, "-P", "-c", "import sys, json, threading, math, select; "
                           f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"],
                          capture_output=True, text=True, check=True)
    worker = Worker(workspace)
    try:
        # Both requests are in the pipe before the worker has started: neither waits for a warm-up.
        load = worker.send({"op": "load", "target": _heavy_modules_target(workspace)})
        call = _heavy_modules_call(worker, workspace, heavy)
        assert worker.wait(load, 10) == {"id": load, "loaded": True}
        assert worker.wait(call, 10)["result"] == json.loads(bare.stdout)
    finally:
        worker.kill()


def test_an_idle_worker_warms_up_what_handlers_import(workspace):
    import time

    from asl.resources.process import Worker

    warmed = ["ast", "traceback", "typing"]
    worker = Worker(workspace)
    try:
        deadline = time.monotonic() + 10
        while True:  # the warm-up runs while no request waits: a moment idle, and all three are there
            time.sleep(0.05)
            found = worker.wait(_heavy_modules_call(worker, workspace, warmed), 10)["result"]
            if found == warmed or time.monotonic() > deadline:
                break
        assert found == warmed
    finally:
        worker.kill()


class _CountingPoll:
    """A worker's poll object, recording each timeout it is called with."""

    def __init__(self, real):
        self.real, self.timeouts = real, []

    def poll(self, timeout):
        self.timeouts.append(timeout)
        return self.real.poll(timeout)


def _nap(worker, workspace, seconds, timeout=10.0):
    target = f"sfn_test_worker_{workspace.parent.name.replace('-', '_')}:naps"
    return worker.wait(worker.send({"op": "call", "target": target, "event": seconds, "name": "naps",
                                    "arn": ARN + "naps", "timeout": 3, "request_id": "r"}), timeout)


def _until_fast(worker, workspace):
    """Call a handler that returns at once until its reply came fast (a busy machine may delay a few)."""
    import time

    deadline = time.monotonic() + 10
    while not worker._fast and time.monotonic() < deadline:
        _nap(worker, workspace, 0)
    assert worker._fast


def test_a_fast_handlers_reply_is_awaited_awake_first_and_a_slow_ones_asleep(workspace):
    from asl.resources.process import Worker

    worker = Worker(workspace)
    try:
        _until_fast(worker, workspace)
        worker._poll = counting = _CountingPoll(worker._poll)
        assert _nap(worker, workspace, 0.05)["result"] == 0.05
        assert counting.timeouts[0] == 0 and counting.timeouts[-1] > 0  # polled awake, then slept
        assert not worker._fast
        counting.timeouts.clear()
        _nap(worker, workspace, 0)           # after a slow reply: straight to sleep
        assert 0 not in counting.timeouts
    finally:
        worker.kill()


def test_a_fast_handler_still_times_out(workspace):
    from asl.resources.process import Worker, WorkerTimedOut

    worker = Worker(workspace)
    try:
        _until_fast(worker, workspace)
        with pytest.raises(WorkerTimedOut):
            _nap(worker, workspace, 5, timeout=0.1)
        assert not worker.alive
    finally:
        worker.kill()


def test_the_context_names_the_function_and_the_request(workspace):
    output = run(workspace, {"Resource": ARN + "context_of"}).output
    assert output["arn"] == ARN + "context_of"
    assert output["name"] == "context_of" and output["version"] == "$LATEST"
    assert len(output["rid"]) == 36


def test_the_workers_folder_shadows_nothing_and_the_working_folder_is_importable(workspace):
    result = run(workspace, {"Resource": ARN + "stdlib_and_cwd"})
    assert result.output == {"http": "http.client", "cwd": "found"}


@pytest.mark.parametrize("size", [10, 70_000, 120_000])
def test_messages_larger_than_a_pipe_buffer_go_through_whole(workspace, size):
    event = {"text": "é" * size, "items": list(range(size // 1000))}
    assert run(workspace, {"Resource": ARN + "echo"}, event).output == event


def test_a_handler_importing_asl_callbacks_during_the_call_answers_through_sfn(workspace):
    state = {"Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
             "Parameters": {"FunctionName": "answers_in_the_call", "Payload": {"token.$": "$$.Task.Token"}}}
    result = run(workspace, state)
    assert (result.status, result.output) == ("SUCCEEDED", {"answered": "in the call"})


def test_the_runtime_module_needs_only_the_standard_library():
    # The worker loads lambda_runtime by its path: an import of sfn there would import the library.
    source = open(lambda_runtime.__file__, encoding="utf-8").read()
    assert "from ." not in source and "import asl" not in source and "from asl" not in source
    assert json.loads(json.dumps(lambda_runtime.encode_result({"a": (1, 2)}, "m:f"))) == {"a": [1, 2]}


def test_the_wire_keeps_deep_values_and_lone_surrogates():
    from asl.resources.wire import decode, encode

    deep: list = []
    for _ in range(5000):
        deep = [deep]
    for value in ({"s": "\ud800 x"}, {"n": 1.5, "t": [True, None]}):
        assert decode(encode(value)) == value
    line = encode({"deep": deep})  # past json's recursion limit: deepjson's fallback, both ways
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert encode(decode(line)) == line
    assert encode({"a": 1}) == b'{"a":1}\n'  # orjson's text, the usual line


@pytest.mark.parametrize("value", [
    {"big": 2**64, "small": -2**63 - 1, "huge": 10**40},   # past orjson's integers: json's line, exact
    {"s": "\udc80", "t": ["\ud83d"]},                       # lone surrogates
    {"n": [2**63 - 1, 2**64 - 1, -2**63], "f": [1e-7, 1e16, 5e-324, -0.0, 0.1]},
])
def test_the_wire_gives_back_exactly_what_was_sent(value):
    from asl.resources.wire import decode, encode

    got = decode(encode(value))
    assert got == value and repr(got) == repr(value)  # an integer stays an integer, -0.0 stays -0.0


def test_the_line_reader_gives_whole_lines_however_the_bytes_were_split():
    import os
    import random
    import threading

    from asl.resources.wire import LineReader, encode

    messages = [{"id": n, "text": "x" * random.Random(n).randrange(0, 200_000)} for n in range(40)]
    data = b"".join(encode(m) for m in messages)
    cuts = sorted(random.Random(7).sample(range(1, len(data)), 300))
    read, write = os.pipe()

    def writer() -> None:
        for start, end in zip([0] + cuts, cuts + [len(data)]):
            os.write(write, data[start:end])  # a writer thread: a piece larger than the pipe's buffer waits
        os.close(write)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        reader = LineReader(read)
        got = []
        while reader.read():
            while reader.has_line():
                got.append(json.loads(reader.take()))
        assert got == messages
    finally:
        thread.join()
        os.close(read)


def test_request_ids_are_version_4_uuids():
    import uuid

    ids = {lambda_runtime.request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)

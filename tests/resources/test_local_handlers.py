"""Local Lambda-style handlers: call shapes, error shapes, timeouts, and what may be imported."""

import json
import os
import re
import sys
import textwrap
import threading
import time

import pytest

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.resources.compose import build_services, missing_providers
from asl.resources.config import find_resources, load_resources

HANDLERS = '''
import time

class CardDeclined(Exception):
    pass

def echo(event, context):
    return {"event": event, "fn": context.function_name, "left": context.get_remaining_time_in_millis() > 0,
            "rid": bool(context.aws_request_id)}

def decline(event, context):
    raise CardDeclined("insufficient funds")

def slow(event, context):
    time.sleep(5)

def not_json(event, context):
    return {1, 2}

def mutate(event, context):
    event["changed"] = True
    return event
'''

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    module = f"sfn_test_handlers_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(HANDLERS)
    (tmp_path / "resources.yaml").write_text(textwrap.dedent(f"""\
        handlers:
          Echo: {module}:echo
          Decline: {module}:decline
          Slow: {module}:slow
          NotJson: {module}:not_json
          {ARN}Mutate: {module}:mutate
        """))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def run(workspace, state, input=None):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True, **state}}}
    machine = machine_from_definition(definition, validate=False)
    return run_machine(machine, input or {}, resources=workspace / "resources.yaml")


def test_plain_arn_returns_the_bare_result(workspace):
    result = run(workspace, {"Resource": ARN + "Echo"}, {"a": 1})
    assert result.output == {"event": {"a": 1}, "fn": "Echo", "left": True, "rid": True}
    types = [e.type for e in result.history.events]
    assert types[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]


def test_lambda_invoke_wraps_the_result(workspace):
    result = run(workspace, {"Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": {"FunctionName": "Echo", "Payload": {"x.$": "$.a"}}}, {"a": 2})
    out = result.output
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    assert out["Payload"]["event"] == {"x": 2}
    assert set(out) == {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}
    scheduled = next(e for e in result.history.to_aws()["events"] if e["type"] == "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    assert details["resourceType"] == "lambda" and details["resource"] == "invoke"
    assert json.loads(details["parameters"]) == {"FunctionName": "Echo", "Payload": {"x": 2}}


@pytest.mark.parametrize("parameters", [{"FunctionName": "Echo"}, None], ids=["parameters", "state-input"])
def test_lambda_invoke_without_payload_sends_an_empty_event(workspace, parameters):
    # As Lambda's Invoke without a Payload: the function gets {}, never the request's other fields.
    task = {"Resource": "arn:aws:states:::lambda:invoke", **({"Parameters": parameters} if parameters else {})}
    result = run(workspace, task, {"FunctionName": "Echo", "Qualifier": "$LATEST"})
    assert result.status == "SUCCEEDED" and result.output["Payload"]["event"] == {}


def test_exception_becomes_the_error_with_lambda_cause(workspace):
    result = run(workspace, {"Resource": ARN + "Decline"})
    assert result.status == "FAILED" and result.error == "CardDeclined"
    cause = json.loads(result.cause)
    assert cause["errorMessage"] == "insufficient funds" and cause["errorType"] == "CardDeclined"
    assert isinstance(cause["stackTrace"], list) and "decline" in "".join(cause["stackTrace"])


def test_timeout(workspace):
    result = run(workspace, {"Resource": ARN + "Slow", "TimeoutSeconds": 1})
    assert result.error == "States.Timeout"
    assert [e.type for e in result.history.events][-2] == "LambdaFunctionTimedOut"


def test_a_set_fails_as_the_lambda_python_runtime_fails_it(workspace):
    result = run(workspace, {"Resource": ARN + "NotJson"})
    assert (result.status, result.error) == ("FAILED", "Runtime.MarshalError")
    cause = json.loads(result.cause)
    assert cause == {"errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
                     "errorType": "Runtime.MarshalError", "requestId": cause["requestId"], "stackTrace": []}


def test_handler_gets_a_copy_of_the_input(workspace):
    result = run(workspace, {"Resource": ARN + "Mutate", "ResultPath": "$.r"}, {"a": 1})
    assert result.output == {"a": 1, "r": {"a": 1, "changed": True}}


def test_retry_on_handler_error(workspace):
    result = run(workspace, {"Resource": ARN + "Decline",
                             "Retry": [{"ErrorEquals": ["CardDeclined"], "MaxAttempts": 2}]})
    assert [e.type for e in result.history.events].count("LambdaFunctionFailed") == 3


def test_unmapped_resource_is_reported_before_the_run(workspace):
    machine = machine_from_definition({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": ARN + "Unknown", "End": True}}}, validate=False)
    dispatcher = build_services(load_resources(workspace / "resources.yaml")).dispatcher
    problems = missing_providers(machine, dispatcher)
    assert problems and "state 'T'" in problems[0] and ARN + "Unknown" in problems[0]


@pytest.mark.parametrize("text,message", [
    ("handlers: [1]\n", "'handlers' must be a mapping"),
    ("handlers:\n  X: nocolon\n", "must be 'module:function'"),
    ("handlerz: {}\n", "unknown section 'handlerz'"),
    ("handlers:\n  X: [\n", "invalid YAML"),
])
def test_bad_resources_files(tmp_path, text, message):
    path = tmp_path / "resources.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        load_resources(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_missing_module_fails_before_the_run(tmp_path):
    (tmp_path / "resources.yaml").write_text("handlers:\n  X: no_such_module_here:fn\n")
    with pytest.raises(UserInputError) as info:
        build_services(load_resources(tmp_path / "resources.yaml"))
    assert "cannot import handler module 'no_such_module_here': ModuleNotFoundError" in str(info.value)
    assert ":2:" in str(info.value)


def test_resources_file_is_found_beside_the_definition(tmp_path):
    (tmp_path / "m.asl.json").write_text("{}")
    assert find_resources(tmp_path / "m.asl.json") is None
    (tmp_path / "resources.yml").write_text("handlers: {}\n")
    assert find_resources(tmp_path / "m.asl.json") == str(tmp_path / "resources.yml")
    (tmp_path / "m.resources.json").write_text("{}")
    assert find_resources(tmp_path / "m.asl.json") == str(tmp_path / "m.resources.json")


def test_definition_cannot_import_a_module_it_names(tmp_path):
    before = set(sys.modules)
    machine = machine_from_definition({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:os.system", "End": True}}}, validate=False)
    with pytest.raises(UserInputError, match="no handler, stub or mock"):
        run_machine(machine, {})
    assert not {m for m in set(sys.modules) - before if m.startswith("os")}


def test_handler_prints_go_to_stderr_not_the_json_output(tmp_path, monkeypatch, capfd):
    module = f"sfn_test_printing_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text("def noisy(event, context):\n    print('log line')\n    return 1\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  Noisy: {module}:noisy\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    result = run(tmp_path, {"Resource": ARN + "Noisy"})
    captured = capfd.readouterr()  # the worker process writes to fd 2 itself
    assert result.output == 1
    assert "log line" in captured.err and "log line" not in captured.out



# ------------------------------------------------------------------ modules that misbehave at import

IMPORT_FAILURES = [
    ("raise BaseException('boom')\n", "cannot import handler module '{m}': BaseException('boom') raised while importing"),
    ("import sys\nsys.exit(4)\n", "cannot import handler module '{m}': SystemExit(4) raised while importing"),
    ("1 / 0\n", "cannot import handler module '{m}': ZeroDivisionError: division by zero"),
    ("def f(:\n", "cannot import handler module '{m}': SyntaxError"),
    ("class E(Exception):\n    def __str__(self):\n        raise ValueError('no')\nraise E()\n",
     "cannot import handler module '{m}': E: <E object: str() failed>"),
    ("def __getattr__(name):\n    raise SystemExit(7)\n",
     "cannot get 'fn' from handler module '{m}': its __getattr__ raised SystemExit(7)"),
    ("def __getattr__(name):\n    raise RuntimeError('nope')\n",
     "cannot get 'fn' from handler module '{m}': its __getattr__ raised RuntimeError: nope"),
]


@pytest.mark.parametrize("source,message", IMPORT_FAILURES)
def test_import_failures_are_one_line_errors_at_the_resources_file(tmp_path, monkeypatch, source, message):
    monkeypatch.setattr(sys, "path", list(sys.path))
    module = f"sfn_test_bad_import_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(source)
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  X: {module}:fn\n")
    with pytest.raises(UserInputError) as info:
        build_services(load_resources(tmp_path / "resources.yaml"))
    assert str(info.value).startswith(f"{tmp_path / 'resources.yaml'}:2:")
    assert message.format(m=module) in str(info.value)
    assert "\n" not in str(info.value)
    if message.startswith("cannot import"):
        assert module not in sys.modules  # a half-run module is not kept


def test_ctrl_c_while_importing_still_interrupts(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    module = f"sfn_test_ctrl_c_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text("raise KeyboardInterrupt\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  X: {module}:fn\n")
    with pytest.raises(KeyboardInterrupt):
        build_services(load_resources(tmp_path / "resources.yaml"))


def test_same_named_module_of_another_folder_is_run_once_and_not_kept_when_it_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    module = f"sfn_test_twin_{tmp_path.name.replace('-', '_')}"
    first, second, broken = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (first, second, broken):
        folder.mkdir()
        (folder / "resources.yaml").write_text(f"handlers:\n  X: {module}:fn\n")
    (first / f"{module}.py").write_text("def fn(event, context):\n    return 'a'\n")
    (second / f"{module}.py").write_text(
        "import os\nopen(os.path.join(os.path.dirname(__file__), 'runs'), 'a').write('x')\n"
        "def fn(event, context):\n    return 'b'\n")
    (broken / f"{module}.py").write_text("import sys\nsys.exit(3)\n")
    build_services(load_resources(first / "resources.yaml"))
    for _ in range(2):  # a new provider each time, as a subscriber's delivery makes
        build_services(load_resources(second / "resources.yaml"))
    assert (second / "runs").read_text() == "x"
    with pytest.raises(UserInputError, match="SystemExit"):
        build_services(load_resources(broken / "resources.yaml"))
    assert not [name for name in sys.modules if name.startswith(module + "__sfn_") and str(broken) in
                str(getattr(sys.modules[name], "__file__", ""))]


# ------------------------------------------------------------------ handlers that misbehave when called

MISBEHAVING = r"""
import threading, time

class Unprintable(Exception):
    def __str__(self):
        raise ValueError("no str")

class Fatal(BaseException):
    pass

class BadItems(dict):
    def items(self):
        raise RuntimeError("items() broke")

def ctrl_c(event, context):
    raise KeyboardInterrupt

def exits(event, context):
    raise SystemExit(3)

def fatal(event, context):
    raise Fatal("fatal")

def unprintable(event, context):
    raise Unprintable()

def deep(event, context):
    value = []
    for _ in range(100000):
        value = [value]
    return value

def bad_items(event, context):
    return BadItems(a=1)

def nan(event, context):
    return {"x": float("nan")}

def surrogate(event, context):
    return "\ud800"

release = threading.Event()

def late(event, context):
    release.wait(10)
    print("late")

def own_request_id(event, context):
    raise ValueError(context.aws_request_id)
"""


@pytest.fixture(params=[False, True], ids=["worker-process", "in-process"])
def misbehaving(tmp_path, monkeypatch, request):
    # The error shapes are the same whether the handler runs in a worker process or in sfn's.
    module = f"sfn_test_misbehaving_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(MISBEHAVING)
    names = ["ctrl_c", "exits", "fatal", "unprintable", "deep", "bad_items", "nan", "surrogate", "late",
             "own_request_id"]
    mode = "true" if request.param else "false"
    (tmp_path / "resources.yaml").write_text("handlers:\n" + "".join(
        f"  {n}: {{handler: '{module}:{n}', in_process: {mode}, timeout: 30}}\n" for n in names))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


WITH_AND_WITHOUT_TIMEOUT = pytest.mark.parametrize("timeout", [{}, {"TimeoutSeconds": 5}],
                                                   ids=["inline", "worker-thread"])


@WITH_AND_WITHOUT_TIMEOUT
def test_ctrl_c_in_a_handler_aborts_the_execution(misbehaving, capsys, timeout):
    result = run(misbehaving, {"Resource": ARN + "ctrl_c", **timeout})
    assert result.status == "ABORTED" and result.output is None
    assert "Traceback" not in capsys.readouterr().err  # nothing left for threading's excepthook


@WITH_AND_WITHOUT_TIMEOUT
@pytest.mark.parametrize("name,error,message", [
    ("exits", "SystemExit", "3"),
    ("fatal", "Fatal", "fatal"),
    ("unprintable", "Unprintable", "<Unprintable object: str() failed>"),
])
def test_any_base_exception_is_the_tasks_error(misbehaving, capsys, timeout, name, error, message):
    result = run(misbehaving, {"Resource": ARN + name, **timeout})
    assert (result.status, result.error) == ("FAILED", error)
    cause = json.loads(result.cause)
    assert cause["errorType"] == error and cause["errorMessage"] == message
    assert "Traceback" not in capsys.readouterr().err


@WITH_AND_WITHOUT_TIMEOUT
def test_the_error_s_request_id_is_the_invocation_s(misbehaving, timeout):
    # As on Lambda: the cause's requestId is the call's own, the one its context gave the handler.
    result = run(misbehaving, {"Resource": ARN + "own_request_id", **timeout})
    cause = json.loads(result.cause)
    assert (result.error, cause["errorType"]) == ("ValueError", "ValueError")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", cause["requestId"])
    assert cause["requestId"] == cause["errorMessage"]


@WITH_AND_WITHOUT_TIMEOUT
@pytest.mark.parametrize("name,why", [
    ("deep", "maximum recursion depth exceeded"),
    ("bad_items", "items() broke"),
    ("nan", "Out of range float values are not JSON compliant: nan"),
])
def test_a_result_the_runtime_cannot_encode_is_a_marshal_error(misbehaving, timeout, name, why):
    result = run(misbehaving, {"Resource": ARN + name, **timeout})
    assert (result.status, result.error) == ("FAILED", "Runtime.MarshalError")
    assert json.loads(result.cause)["errorMessage"].startswith("Unable to marshal response: " + why)


@WITH_AND_WITHOUT_TIMEOUT
def test_a_result_that_is_no_json_value_fails_the_task(misbehaving, timeout):
    result = run(misbehaving, {"Resource": ARN + "surrogate", **timeout})
    assert (result.status, result.error) == ("FAILED", "Lambda.InvalidResponseException")
    assert "not JSON-serialisable" in result.cause and "UnicodeEncodeError" in result.cause


def test_a_timed_out_handler_still_running_keeps_its_prints_off_stdout(misbehaving, capsys):
    if "in_process: false" in (misbehaving / "resources.yaml").read_text():
        pytest.skip("a worker process is killed at its timeout: nothing is left running to print")
    result = run(misbehaving, {"Resource": ARN + "late", "TimeoutSeconds": 1})
    assert result.error == "States.Timeout"
    print("the run's own output")  # the handler still runs: this must reach stdout all the same
    module = sys.modules[f"sfn_test_misbehaving_{misbehaving.name.replace('-', '_')}"]
    module.release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("sfn-handler-late"):
            thread.join(5)
    captured = capsys.readouterr()
    assert "the run's own output" in captured.out and "the run's own output" not in captured.err
    assert "late" in captured.err and "late" not in captured.out
    assert not type(sys.stdout).__name__ == "_StdoutRouter"  # put back once no handler runs


def test_import_time_prints_go_to_stderr(tmp_path, monkeypatch, capfd):
    module = f"sfn_test_import_print_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text("print('importing')\ndef fn(event, context):\n    return 1\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  X: {module}:fn\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    build_services(load_resources(tmp_path / "resources.yaml"))
    captured = capfd.readouterr()
    assert "importing" in captured.err and "importing" not in captured.out


# ------------------------------------------------------------------ the resources file's folder shadows nothing

def test_modules_beside_the_handlers_do_not_shadow_sfns_own(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    for name in ("colorsys", "json"):  # stdlib modules: one nobody has imported yet, one sfn has
        (tmp_path / f"{name}.py").write_text("raise RuntimeError('the shadowing module was imported')\n")
    module = f"sfn_test_shadow_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text("import sibling_helper\ndef fn(event, context):\n"
                                           "    return sibling_helper.VALUE\n")
    (tmp_path / "sibling_helper.py").write_text("VALUE = 'from beside'\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  X: {module}:fn\n")
    result = run(tmp_path, {"Resource": ARN + "X"})
    assert result.output == "from beside"  # the handler's own siblings still import
    import colorsys
    assert colorsys.rgb_to_hsv(0, 0, 0) == (0, 0, 0) and str(tmp_path) not in colorsys.__file__
    assert str(tmp_path) not in sys.path[:-1]  # appended, never ahead of the real modules


def test_a_handler_module_named_like_a_stdlib_module_is_kept_apart(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    (tmp_path / "colorsys.py").write_text("def fn(event, context):\n    return 'handler'\n")
    (tmp_path / "resources.yaml").write_text("handlers:\n  X: colorsys:fn\n")
    assert run(tmp_path, {"Resource": ARN + "X"}).output == "handler"
    import colorsys
    assert hasattr(colorsys, "rgb_to_hsv")  # the stdlib's, not the handler module


def test_a_handler_package_beside_the_resources_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    package = f"sfn_test_pkg_{tmp_path.name.replace('-', '_')}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "lambdas.py").write_text("from . import shared\ndef fn(event, context):\n"
                                                    "    return shared.NAME\n")
    (tmp_path / package / "shared.py").write_text("NAME = 'pkg'\n")
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  X: {package}.lambdas:fn\n")
    assert run(tmp_path, {"Resource": ARN + "X"}).output == "pkg"


# ------------------------------------------------------------------ handlers as Lambda runs them: a worker process

SANDBOXED = r"""
import os, sys, threading, time

def exits_hard(event, context):
    os._exit(3)

def blocks(event, context):
    time.sleep(60)

def pid(event, context):
    return os.getpid()

def printer_thread(event, context):
    def later():
        time.sleep(0.2)
        print("from a thread after the handler returned")
        sys.stdout.flush()
        os.write(1, b"raw write to fd 1\n")
    threading.Thread(target=later).start()
    return "returned"
"""


@pytest.fixture
def sandboxed(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    module = f"sfn_test_sandboxed_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(SANDBOXED)
    (tmp_path / "resources.yaml").write_text(textwrap.dedent(f"""\
        handlers:
          ExitsHard: {module}:exits_hard
          Blocks: {{handler: '{module}:blocks', timeout: 0.5}}
          Pid: {module}:pid
          Printer: {module}:printer_thread
        """))
    return tmp_path


def test_a_handler_that_ends_its_process_fails_the_task_with_runtime_exit_error(sandboxed):
    result = run(sandboxed, {"Resource": ARN + "ExitsHard"})
    assert (result.status, result.error) == ("FAILED", "Runtime.ExitError")
    cause = json.loads(result.cause)
    assert cause["errorType"] == "Runtime.ExitError"
    assert re.fullmatch(r"RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3",
                        cause["errorMessage"])
    # The next call gets a fresh worker, as Lambda starts a new execution environment.
    assert run(sandboxed, {"Resource": ARN + "Pid"}).status == "SUCCEEDED"


def test_the_functions_own_timeout_is_sandbox_timedout_and_the_worker_is_replaced(sandboxed):
    first = run(sandboxed, {"Resource": ARN + "Pid"}).output
    started = time.monotonic()
    result = run(sandboxed, {"Resource": ARN + "Blocks", "TimeoutSeconds": 30})
    assert time.monotonic() - started < 10
    assert (result.status, result.error) == ("FAILED", "Sandbox.Timedout")
    assert json.loads(result.cause)["errorMessage"].endswith("Error: Task timed out after 0.50 seconds")
    assert [e.type for e in result.history.events][-2] == "LambdaFunctionFailed"
    # The module's worker was killed: a new one serves the next call, and is reused after it.
    second = run(sandboxed, {"Resource": ARN + "Pid"}).output
    assert second not in (first, os.getpid())
    assert run(sandboxed, {"Resource": ARN + "Pid"}).output == second
    assert run(sandboxed, {"Resource": ARN + "Blocks", "TimeoutSeconds": 0.2}).error == "States.Timeout"


def test_a_thread_printing_after_the_handler_returned_never_reaches_stdout(sandboxed, capfd):
    assert run(sandboxed, {"Resource": ARN + "Printer"}).output == "returned"
    deadline = time.monotonic() + 10
    err = ""
    while "raw write" not in err and time.monotonic() < deadline:
        time.sleep(0.05)
        out, more = capfd.readouterr()
        assert "after the handler returned" not in out and "raw write" not in out
        err += more
    assert "from a thread after the handler returned" in err and "raw write to fd 1" in err


def test_handler_options_in_the_resources_file(tmp_path):
    (tmp_path / "resources.yaml").write_text(
        "handlers:\n  A: m:f\n  B: {handler: 'm:g', timeout: 12.5, in_process: true}\n")
    config = load_resources(tmp_path / "resources.yaml")
    assert (config.handlers["A"].timeout, config.handlers["A"].in_process) == (3.0, False)  # Lambda's default
    assert (config.handlers["B"].target, config.handlers["B"].timeout, config.handlers["B"].in_process) == \
        ("m:g", 12.5, True)


@pytest.mark.parametrize("entry,message", [
    ("{handler: 'm:f', timeout: 0}", "timeout must be a number of seconds above 0, at most 900"),
    ("{handler: 'm:f', timeout: 901}", "timeout must be a number of seconds above 0, at most 900"),
    ("{handler: 'm:f', timeout: 'x'}", "timeout must be a number of seconds"),
    ("{handler: 'm:f', in_process: 'yes'}", "in_process must be true or false"),
    ("{handler: 'm:f', memory: 128}", "unknown option 'memory'"),
    ("{timeout: 3}", "must be 'module:function'"),
])
def test_bad_handler_options(tmp_path, entry, message):
    (tmp_path / "resources.yaml").write_text(f"handlers:\n  A: {entry}\n")
    with pytest.raises(UserInputError, match=message):
        load_resources(tmp_path / "resources.yaml")

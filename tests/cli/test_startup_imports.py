"""What `sfn run` imports: only what the command and the definition need (start-up is paid by every run)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Modules a run of Pass states never uses: each would only add to every run's start-up.
NOT_FOR_A_PASS_CHAIN = ("asl.resources.sns", "asl.resources.sqs", "asl.resources.s3", "asl.resources.http",
                        "asl.resources.local", "asl.resources.sandbox", "asl.resources.process",
                        "asl.resources.mocks", "asl.resources.nested", "jsonata", "rich", "jsonschema", "yaml",
                        "jsonpath_ng", "random", "shlex", "base64", "secrets", "signal",
                        "pathlib", "urllib.parse")  # ~4 ms: os.path does what a run needs


def _imported_by_run(tmp_path: Path, definition: dict, *options: str) -> tuple[str, set[str]]:
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps(definition), encoding="utf-8")
    return _imported_by(["run", str(machine), "--input", "{}", "--output", "json", *options])


def _imported_by(args: list[str]) -> tuple[str, set[str]]:
    """`sfn ARGS` in a fresh process: its stdout, and every module it imported."""
    # (An editable install's import hook may have imported pathlib already: forgotten first.)
    probe = ("import sys, json\nfor name in ('pathlib', 'urllib.parse'):\n    sys.modules.pop(name, None)\n"
             "from cli.main import main\n"
             f"sys.argv = ['sfn'] + {args!r}\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


def _chain(count: int) -> dict:
    states = {f"S{k}": {"Type": "Pass", "Result": {"k": k}, "ResultPath": f"$.s{k}", "Next": f"S{k + 1}"}
              for k in range(count)}
    states[f"S{count - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def test_a_pass_chain_imports_no_provider_nor_optional_library(tmp_path):
    for options in (["--store", str(tmp_path / "sfn.db")], ["--no-store"]):
        out, modules = _imported_by_run(tmp_path, _chain(10), *options)
        assert json.loads(out)["status"] == "SUCCEEDED"
        assert sorted(modules & set(NOT_FOR_A_PASS_CHAIN)) == []
        if "--no-store" in options:   # nothing recorded: neither the store's code nor SQLite
            assert sorted(m for m in modules if m.startswith("asl.store") or m == "sqlite3") == []


def test_a_task_still_reaches_its_provider(tmp_path):
    # The SNS stub answers a publish to an unconfigured topic as before: its module loads when asked.
    task = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}, "End": True}
    out, modules = _imported_by_run(tmp_path, {"StartAt": "T", "States": {"T": task}}, "--no-store")
    assert "asl.resources.sns" in modules
    assert json.loads(out)["status"] in ("SUCCEEDED", "FAILED")


def test_a_task_a_handler_answers_imports_none_of_the_stubs(tmp_path):
    (tmp_path / "h.py").write_text("def f(event, context):\n    return event\n", encoding="utf-8")
    (tmp_path / "resources.yaml").write_text("handlers:\n  f: h:f\n", encoding="utf-8")
    task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}
    out, modules = _imported_by_run(tmp_path, {"StartAt": "T", "States": {"T": task}}, "--no-store")
    assert json.loads(out)["output"] == {}
    stubs = ("asl.resources.sns", "asl.resources.sqs", "asl.resources.s3", "asl.resources.http",
             "asl.resources.nested", "asl.s3local", "base64", "subprocess", "signal",  # the worker: posix_spawn
             "pathlib", "urllib.parse")  # the handlers' folder: os.path
    assert sorted(modules & set(stubs)) == []


def test_paths_without_an_intrinsic_call_leave_the_intrinsics_unimported(tmp_path):
    state = {"Type": "Pass", "Parameters": {"a.$": "$", "b": {"c.$": "$$.Execution.Id"}}, "End": True}
    out, modules = _imported_by_run(tmp_path, {"StartAt": "P", "States": {"P": state}}, "--no-store")
    assert json.loads(out)["status"] == "SUCCEEDED"
    assert "asl.expr.intrinsics" not in modules
    # ...and one call brings them in.
    state["Parameters"]["d.$"] = "States.Format('{}', $$.Execution.Name)"
    out, modules = _imported_by_run(tmp_path, {"StartAt": "P", "States": {"P": state}}, "--no-store")
    assert "asl.expr.intrinsics" in modules and json.loads(out)["status"] == "SUCCEEDED"


def test_the_handler_worker_starts_before_the_engine_is_imported(tmp_path):
    # The worker's Python start-up then runs beside sfn's own imports and the definition's loading.
    (tmp_path / "h.py").write_text("def f(event, context):\n    return event\n", encoding="utf-8")
    (tmp_path / "resources.yaml").write_text("handlers:\n  f: h:f\n", encoding="utf-8")
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}}}))
    probe = ("import sys, json\nimport asl.resources.process as process\nseen = []\n"
             "real = process.prestart_for\n"
             "def spy(resources):\n"
             "    seen.append(sorted(m for m in ('asl.api', 'asl.cloudformation', 'asl.interp.machine') "
             "if m in sys.modules))\n"
             "    return real(resources)\n"
             "process.prestart_for = spy\n"
             "from cli.main import main\n"
             f"sys.argv = ['sfn', 'run', {str(machine)!r}, '--input', '{{\"a\": 1}}', '--output', 'json', "
             "'--no-store']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(json.dumps(seen))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(done.stdout)["output"] == {"a": 1}
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [[]]


def _traced_run(setup: str, report: str, args: list[str]) -> tuple[dict, object]:
    """`sfn ARGS` in a fresh process after `setup` (which patches something): its JSON output, and the
    value of the expression `report` once it is done."""
    probe = (f"import json, os, re, sys\n{setup}\nfrom cli.main import main\nsys.argv = ['sfn', *{args!r}]\n"
             f"try:\n    main()\nexcept SystemExit:\n    pass\nsys.stderr.write(json.dumps({report}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


# `seen`: the file of each caller of re.compile, re.sub and the like (they call re._compile).
TRACE_PATTERNS = ("compile = re._compile\nseen = []\n"
                  "def traced(*args, **kwargs):\n"
                  "    seen.append(sys._getframe(2).f_code.co_filename.replace(os.sep, '/'))\n"
                  "    return compile(*args, **kwargs)\n"
                  "re._compile = traced")


def test_a_recorded_run_compiles_no_pattern_of_the_store(tmp_path):
    # Each of the store's patterns cost 0.05-0.4 ms to compile: they are compiled when one is needed
    # (a name that is not plain, a duration read, another process's lock), never by a plain recorded run.
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps(_chain(3)), encoding="utf-8")
    out, files = _traced_run(TRACE_PATTERNS, "sorted({f for f in seen if 'asl/store' in f})",
                             ["run", str(machine), "--output", "json", "--store", str(tmp_path / "s.db")])
    assert out["status"] == "SUCCEEDED" and files == []


# Modules whose patterns serve what a valid definition's run never meets (CloudFormation templates,
# deep JSON, diagnostics and their positions, timestamps, JSONata, Map labels, paths other than
# dotted names).
RARE_PATTERNS = ("asl/cloudformation.py", "asl/deepjson.py", "asl/diagnostics.py", "asl/model/choice.py",
                 "asl/expr/jsonpath.py", "asl/validate/schemafast.py",
                 "asl/source.py", "asl/validate/cfn.py", "asl/validate/rules_map.py",
                 "asl/validate/rules_fields.py", "cli/safe_text.py")


def test_a_valid_run_compiles_none_of_the_rare_patterns(tmp_path):
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps(_machine_with_a_task()), encoding="utf-8")
    out, files = _traced_run(TRACE_PATTERNS, f"sorted({{f for f in seen if f.endswith({RARE_PATTERNS!r})}})",
                             ["run", str(machine), "--input", '{"a": 1}', "--output", "json"])
    assert out["status"] == "SUCCEEDED" and files == []


def _machine_with_a_task() -> dict:
    """Intrinsics, a Task, its provider, a Catch and a Choice."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message.$": "States.Format('{}', $.a)"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "C"}], "Next": "C"}
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": 1, "Next": "E"}], "Default": "E"}
    return {"StartAt": "T", "States": {"T": task, "C": choice, "E": {"Type": "Succeed"}}}


def test_a_run_builds_no_class_with_dataclass_code_generation(tmp_path):
    # @dataclass compiles each class's methods at every start (~0.1 ms a method): the classes a run
    # imports are `record`s or plain classes.
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps(_machine_with_a_task()), encoding="utf-8")
    setup = ("import dataclasses\nmade = []\nprocess = dataclasses._process_class\n"
             "def traced(cls, *args, **kwargs):\n"
             "    made.append(f'{cls.__module__}.{cls.__qualname__}')\n"
             "    return process(cls, *args, **kwargs)\n"
             "dataclasses._process_class = traced")
    out, made = _traced_run(setup, "[m for m in made if m.split('.')[0] in ('asl', 'cli')]",
                            ["run", str(machine), "--input", '{"a": 1}', "--output", "json",
                             "--store", str(tmp_path / "s.db")])
    assert out["status"] == "SUCCEEDED" and made == []


def test_validating_a_file_imports_neither_pathlib_nor_the_engine(tmp_path):
    # A pre-commit hook's whole run: pathlib (with urllib.parse and ipaddress) would be ~4 ms of it.
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps(_chain(3)), encoding="utf-8")
    out, modules = _imported_by(["validate", str(machine)])
    assert "all valid" in out
    assert sorted(modules & {"pathlib", "urllib.parse", "asl.interp.machine", "asl.store", "jsonschema"}) == []


def test_the_console_script_runs_a_machine_without_pathlib(tmp_path):
    # As `sfn run` starts: asl.prestart looks for a resources file before click is imported.
    machine = tmp_path / "m.asl.json"
    machine.write_text(json.dumps(_chain(3)), encoding="utf-8")
    args = ["sfn", "run", str(machine), "--output", "json", "--store", str(tmp_path / "s.db")]
    probe = ("import sys, json\nfor name in ('pathlib', 'urllib.parse'):\n    sys.modules.pop(name, None)\n"
             f"sys.argv = {args!r}\nfrom cli import entry\n"
             "try:\n    entry._main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(json.dumps(sorted(m for m in ('pathlib', 'urllib.parse') if m in sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(done.stdout)["status"] == "SUCCEEDED"
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []

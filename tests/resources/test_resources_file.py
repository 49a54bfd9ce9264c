"""The resources file as a whole: empty files, top-level shapes, and what `sfn run` makes of bad ones."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asl.errors import UserInputError
from asl.resources.config import load_resources
from asl.resources.compose import build_services

ROOT = Path(__file__).resolve().parents[2]
ARN = "arn:aws:lambda:us-east-1:123456789012:function:F"


@pytest.mark.parametrize("name,text", [
    ("resources.yaml", ""),
    ("resources.yaml", "  \n\n\t\n"),
    ("resources.yaml", "# nothing here yet\n"),
    ("resources.yaml", "~\n"),
    ("resources.json", ""),
    ("resources.json", "null"),
    ("resources.yaml", "handlers:\ntopics:\n"),   # sections with nothing under them
])
def test_an_empty_resources_file_declares_nothing(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    config = load_resources(path)
    assert config.handlers == {} and config.section("topics") == {}
    build_services(config)
    assert config.topics == {} and config.queues == {} and config.machines == {}


@pytest.mark.parametrize("text,kind", [("[]\n", "a list"), ("5\n", "a number"), ("text\n", "a string"),
                                       ("[handlers]\n", "a list")])
def test_a_resources_file_that_is_not_a_mapping(tmp_path, text, kind):
    path = tmp_path / "resources.yaml"
    path.write_text(text)
    with pytest.raises(UserInputError) as info:
        load_resources(path)
    assert str(info.value) == f"{path}:1:1: a resources file must be a mapping of sections (handlers, topics, ...), " \
                              f"not {kind}"


def test_a_section_that_is_a_list_is_refused_even_when_empty(tmp_path):
    path = tmp_path / "resources.yaml"
    path.write_text("topics: []\n")
    with pytest.raises(UserInputError, match="'topics' must be a mapping"):
        load_resources(path)


def test_handler_names_with_a_slash_are_located(tmp_path):
    path = tmp_path / "resources.yaml"
    path.write_text("handlers:\n  ok: m:f\n  a/b: nocolon\n")
    with pytest.raises(UserInputError) as info:
        load_resources(path)
    assert str(info.value).startswith(f"{path}:3:8:")


# ------------------------------------------------------------------ `sfn run`, as a user runs it

def sfn_run(folder: Path, definition: dict, resources: str, handlers: str | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess:
    (folder / "machine.asl.json").write_text(json.dumps(definition))
    (folder / "res.yaml").write_text(resources)
    if handlers is not None:
        (folder / "sfn_cli_handlers.py").write_text(handlers)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SFN_DEBUG", None)
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "run", "machine.asl.json",
                           "--resources", "res.yaml", "--clock", "virtual", "--output", "json", "--no-store"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)


def task(**fields) -> dict:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ARN, "End": True, **fields}}}


def test_cli_empty_resources_file_runs(tmp_path):
    done = sfn_run(tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "SUCCEEDED"


def test_cli_handler_module_exiting_at_import_is_one_line_and_exit_2(tmp_path):
    done = sfn_run(tmp_path, task(), "handlers:\n  F: sfn_cli_handlers:f\n", "import sys\nsys.exit(4)\n")
    assert done.returncode == 2
    assert done.stderr == ("res.yaml:2:6: cannot import handler module 'sfn_cli_handlers': SystemExit(4) raised "
                           "while importing\n")


def test_cli_ctrl_c_in_a_handler_with_a_timeout_aborts(tmp_path):
    done = sfn_run(tmp_path, task(TimeoutSeconds=5), "handlers:\n  F: sfn_cli_handlers:f\n",
                   "def f(event, context):\n    raise KeyboardInterrupt\n")
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "ABORTED"
    assert "Traceback" not in done.stderr


def test_cli_output_stays_on_stdout_while_a_timed_out_handler_runs(tmp_path):
    done = sfn_run(tmp_path, task(TimeoutSeconds=1), "handlers:\n  F: sfn_cli_handlers:f\n",
                   "import time\ndef f(event, context):\n    print('working')\n    time.sleep(5)\n")
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"status": "FAILED", "output": None, "error": "States.Timeout", "cause": None}
    assert "working" in done.stderr


def test_cli_bad_filter_policy_is_refused_before_the_run(tmp_path):
    resources = ("topics: {t: {}}\nqueues: {q: {}}\nsubscriptions:\n  t:\n    - queue: q\n"
                 "      filter_policy: {attr: [{numeric: ['>', x]}]}\n")
    done = sfn_run(tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, resources)
    assert done.returncode == 2
    assert done.stderr == "res.yaml:6:46: filter_policy: 'numeric' compares with numbers (got \"x\")\n"

"""Nothing a run holds drives the terminal: escape sequences in state names, errors, causes, data and
message bodies are printed as visible `\\xNN` escapes (or JSON `\\u` escapes) by every command."""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from cli.main import sfn
from cli.safe_text import json_text, safe, safe_json, safe_lines

RAW = ("\x1b", "\x9b", "\x07", "\x7f", "\r")
CSI, OSC, C1 = "\x1b[2J", "\x1b]0;owned\x07", "\x9b31m"
STATE = f"Ask{CSI}"
MACHINE = {"StartAt": STATE, "States": {STATE: {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                   "MessageBody": {"token.$": "$$.Task.Token", "note": f"hi{OSC}"}},
    "TimeoutSeconds": 300, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "End": True},
    "F": {"Type": "Fail", "Error": f"E{OSC}", "Cause": f"c{C1}\x7f"}}}


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


def clean(text):
    return not any(c in text for c in RAW)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    (tmp_path / "resources.yaml").write_text("queues:\n  q: {}\n")
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MACHINE))
    db = tmp_path / "s.db"
    run = cli("run", path, "--store", db, "--execution-name", "e1", "--clock", "virtual", "--callback-wait", "0",
              "--output", "json", "--name", f"m{C1}")
    assert run.exit_code == 1 and clean(run.stdout) and clean(run.stderr)
    assert json.loads(run.stdout)["error"] == f"E{OSC}"   # the same value, only escaped for the terminal
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO messages (message_id, service, target, message) VALUES ('m-2', 'sqs', 'q', ?)",
                     (json.dumps({"message_id": "m-2", "service": "sqs", "target": "q", "body": f"b{CSI}",
                                  "sent_at": "now", "state_name": STATE}),))
    return db


@pytest.mark.parametrize("args", [
    ["executions"], ["executions", "--output", "json"], ["history", "e1"], ["history", "e1", "--trace"],
    ["history", "e1", "--output", "json"], ["messages"], ["messages", "--output", "json"],
    ["task", "list", "--all"], ["task", "list", "--all", "--output", "json"],
    ["history", f"e{CSI}"],   # an error message naming what was asked for
])
def test_every_stored_listing_escapes_what_the_run_held(store, args):
    result = cli(*args, "--store", store)
    assert clean(result.stdout) and clean(result.stderr), result.output
    assert "\\x1b" in result.output or "\\u001b" in result.output


@pytest.mark.parametrize("args", [["executions"], ["messages"]])
def test_tables_on_a_terminal_escape_too(store, args, monkeypatch):
    monkeypatch.setattr("cli.commands.stored.sys", SimpleNamespace(stdout=SimpleNamespace(isatty=lambda: True)))
    result = cli(*args, "--store", store)
    assert result.exit_code == 0 and clean(result.stdout) and "\\x" in result.stdout


def test_test_state_text_escapes_the_output(tmp_path):
    state = tmp_path / "s.json"
    state.write_text(json.dumps({"Type": "Pass", "Result": {"k": f"v{CSI}{C1}"}, "End": True}))
    result = cli("test-state", "--definition", state, "--input", "{}", "--output", "text")
    assert result.exit_code == 0 and clean(result.stdout) and "\\x9b31m" in result.stdout


@pytest.mark.parametrize("function,given,shown", [
    (safe, f"a{CSI}\nb", "a\\x1b[2J\\x0ab"),
    (safe_lines, f"a{OSC}\n\tb\r", "a\\x1b]0;owned\\x07\n\tb\\x0d"),
    (safe_json, json.dumps({"k": C1}, ensure_ascii=False), '{"k": "\\u009b31m"}'),
    (lambda v: json_text(v), {"k": f"{CSI}\x7f"}, '{"k": "\\u001b[2J\\u007f"}'),
])
def test_escapes(function, given, shown):
    assert function(given) == shown


def test_json_text_of_a_value_too_deep_for_json():
    deep = [C1]
    for _ in range(5000):
        deep = [deep]
    text = json_text(deep)
    assert clean(text) and text.startswith("[[[[") and "\\u009b31m" in text


def test_safe_json_skips_nothing_its_escaping_would_change():
    # The ASCII fast path returns the text as it is only where the escaping would have changed nothing.
    import random
    import re

    raw = re.compile(r"[\x7f-\x9f]")
    pick = random.Random(17)
    alphabet = "ab\"\\{}[]:, \x1f\x20\x7e\x7f\x80\x9b\x9f\xa0é€\U0001f600"
    for _ in range(2000):
        text = "".join(pick.choice(alphabet) for _ in range(pick.randint(0, 12)))
        assert safe_json(text) == raw.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

"""`sfn executions|history|messages` and `sfn run --store` on bad stores: one line, exit 2, no traceback."""

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import sfn

REAL_CONNECT = sqlite3.connect  # the read_only fixture replaces sqlite3.connect
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
BODY = "[/x] :smile: [bold]"  # rich would read markup and emoji codes in it


def cli(*args):
    # catch_exceptions=False: a crash fails the test with its traceback instead of an exit code.
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def definition(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(PASS))
    return path


@pytest.fixture
def store(tmp_path, definition):
    """A store holding the runs e1 and e2 of m.json, and one stored message."""
    path = tmp_path / "s.db"
    for name in ("e1", "e2"):
        assert cli("run", definition, "--store", path, "--execution-name", name, "--output", "json").exit_code == 0
    message = {"message_id": "m-1", "service": "sqs", "target": "q", "body": BODY, "sent_at": "now",
               "state_name": None}
    with REAL_CONNECT(path) as db:
        db.execute("INSERT INTO messages (message_id, service, target, message) VALUES ('m-1', 'sqs', 'q', ?)",
                   (json.dumps(message),))
    return path


def damage(path, sql):
    db = REAL_CONNECT(path)
    db.executescript(sql)
    db.close()


def one_line_error(result, path, message):
    """Exit 2 and a single stderr line: `PATH: message...`."""
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"{path}: {message}"), result.stderr


FOREIGN = "CREATE TABLE executions (id INTEGER, name TEXT, status TEXT)"


@pytest.mark.parametrize("args", [
    ["executions"], ["history", "e1"], ["messages"], ["messages", "--execution", "e1"],
    ["run", "DEFINITION", "--output", "json"],
])
def test_a_database_of_another_schema_is_not_an_sfn_store(tmp_path, definition, args):
    path = tmp_path / "x.db"
    damage(path, FOREIGN)
    args = [definition if arg == "DEFINITION" else arg for arg in args]
    one_line_error(cli(*args, "--store", path), path, "not an sfn store (table executions has no column arn)")


@pytest.mark.parametrize("sql,args,message", [
    ("UPDATE executions SET input = '{bad' WHERE name = 'e1'", ["history", "e1"],
     "execution 'e1': its stored input is damaged"),
    ("UPDATE history_chunks SET value = '[oops'", ["history", "e2", "--output", "json"],
     "execution 'e2': its stored history is damaged"),
    ("UPDATE history_columns SET columns = '{\"format\": 1}'", ["history", "e1"],
     "execution 'e1': its stored history is damaged (no 'data')"),
    ("UPDATE messages SET message = '{bad'", ["messages"], "stored message 1 is damaged"),
    ("UPDATE messages SET message = '[1]'", ["messages", "--output", "json"],
     "stored message 1 is damaged (not a JSON object)"),
    ("UPDATE executions SET name = X'00'", ["executions"], "execution 'arn:"),
])
def test_damaged_rows_are_one_line_errors(store, sql, args, message):
    damage(store, sql)
    one_line_error(cli(*args, "--store", store), store, message)


@pytest.mark.parametrize("args,message", [
    (["history", "e"], "'e' matches several executions: e1, e2 (give more of the name, or the ARN)"),
    (["history", "\udcff"], "execution name '\\udcff' is not valid UTF-8"),
    (["messages", "--execution", "\udcff"], "execution name '\\udcff' is not valid UTF-8"),
    (["messages", "\udcff"], "topic or queue name '\\udcff' is not valid UTF-8"),
])
def test_names_that_match_nothing_usable_are_one_line_errors(store, args, message):
    one_line_error(cli(*args, "--store", store), store, message)


def test_a_name_that_is_not_utf8_is_not_run_into_the_store(store, definition):
    result = cli("run", definition, "--store", store, "--execution-name", "\udcff")
    assert result.exit_code == 2 and result.stderr == "--execution-name: InvalidName: Invalid Name: '\\udcff'\n"


@pytest.mark.parametrize("limit,ok", [("1", True), (str(2**63 - 1), True), (str(2**63), False),
                                      ("999999999999999999999999999999", False), ("0", False), ("-1", False)])
def test_executions_limit_is_bounded(store, limit, ok):
    result = cli("executions", "--store", store, "--limit", limit)
    if ok:
        assert result.exit_code == 0 and len(result.stdout.splitlines()) == min(int(limit), 2)
    else:
        assert result.exit_code == 2 and "Invalid value for '--limit'" in result.stderr


def test_stored_names_and_bodies_print_as_they_are(store):
    result = cli("messages", "--store", store)
    assert result.exit_code == 0 and BODY in result.stdout


def read_only_connect(database, *args, **kwargs):
    """sqlite3.connect opening files read-only (chmod alone does not stop root)."""
    if database == ":memory:":
        return REAL_CONNECT(database, *args, **kwargs)
    return REAL_CONNECT(Path(database).resolve().as_uri() + "?mode=ro", *args, uri=True, **kwargs)


@pytest.fixture
def read_only(monkeypatch):
    monkeypatch.setattr(sqlite3, "connect", read_only_connect)


def test_a_read_only_store_is_read_but_not_written(store, definition, read_only):
    listed = cli("executions", "--store", store)
    assert listed.exit_code == 0 and [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["e2", "e1"]
    assert cli("history", "e1", "--store", store).exit_code == 0
    assert cli("messages", "--store", store, "--output", "json").exit_code == 0
    one_line_error(cli("run", definition, "--store", store), store,
                   "cannot write the store: attempt to write a readonly database")


def test_a_read_only_default_store_only_warns(definition, monkeypatch):
    assert cli("run", definition, "--output", "json").exit_code == 0  # creates the default store
    monkeypatch.setattr(sqlite3, "connect", read_only_connect)
    result = cli("run", definition, "--output", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["status"] == "SUCCEEDED"
    assert result.stderr.startswith("sfn: warning: ") and "cannot write the store" in result.stderr


def test_messages_of_an_express_execution_are_found_by_its_name(tmp_path):
    """The store keeps the run's own ARN (express:...), the one its messages carry."""
    definition = tmp_path / "m.json"
    definition.write_text(json.dumps({"StartAt": "S", "States": {"S": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "hi"},
        "End": True}}}))
    (tmp_path / "resources.yaml").write_text("queues:\n  q: {}\n")
    store = tmp_path / "s.db"
    ran = cli("run", definition, "--store", store, "--execution-name", "fast", "--execution-type", "EXPRESS",
              "--output", "json")
    assert ran.exit_code == 0, ran.output
    listed = cli("messages", "--execution", "fast", "--store", store, "--output", "json")
    assert [m["body"] for m in json.loads(listed.output)] == ["hi"]
    (found,) = json.loads(cli("executions", "--store", store, "--output", "json").output)
    assert ":express:m:fast:" in found["arn"]


@pytest.mark.parametrize("args, first", [
    (["history", "nope"], "sfn: no execution 'nope' in "),
    (["messages", "--execution", "nope"], "sfn: no execution 'nope' in "),
    (["task", "success", "not-a-token", "--output", "{}"], "sfn: InvalidToken: "),
    (["task", "success", "t", "--output", "{"], "sfn: InvalidOutput: Invalid Output: "),
])
def test_errors_without_a_place_are_reported_in_one_form(store, args, first):
    result = cli(*args, "--store", store)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(first), result.stderr


def test_task_list_closes_the_store_it_read(store, monkeypatch):
    from asl.store import Store

    closed = []
    monkeypatch.setattr(Store, "close", lambda self: closed.append(self.path))
    assert cli("task", "list", "--store", store).exit_code == 0
    assert closed == [store]


# ---------------------------------------------------------------- a default store reached through a link

@pytest.mark.parametrize("link", ["sfn/sfn.db", "sfn", "sfn/sfn.db-journal"])
@pytest.mark.parametrize("args", [["run", "m.json", "--output", "json"], ["executions"], ["history", "x"],
                                  ["messages"], ["task", "list"], ["executions", "--prune"]])
def test_a_default_store_that_is_a_link_is_refused(tmp_path, monkeypatch, link, args):
    (tmp_path / "m.json").write_text(json.dumps(PASS))
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "sfn.db").write_text("precious")
    (victim / "sfn.db-journal").write_text("precious")
    state = tmp_path / "state"   # the user's state folder holds the default store
    state.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("SFN_STORE", raising=False)
    if link == "sfn":
        (state / "sfn").symlink_to(victim)
    else:
        (state / "sfn").mkdir()
        (state / link).symlink_to(victim / Path(link).name)
        if link.endswith("journal"):
            (state / "sfn" / "sfn.db").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.endswith("is a symbolic link: sfn does not follow links to its default store "
                                  "(pass --store PATH or set SFN_STORE to use it)\n") and result.stderr.count("\n") == 1
    assert (victim / "sfn.db").read_text() == "precious" and (victim / "sfn.db-journal").read_text() == "precious"


def test_a_store_given_by_path_may_be_a_link(tmp_path, definition):
    (tmp_path / "real").mkdir()
    (tmp_path / "link.db").symlink_to(tmp_path / "real" / "s.db")
    assert cli("run", definition, "--store", tmp_path / "link.db", "--output", "json").exit_code == 0
    assert (tmp_path / "real" / "s.db").stat().st_size > 0


def test_limit_help_shows_no_internal_bound():
    result = cli("executions", "--help")
    assert "--limit N" in result.stdout and "9223372036854775807" not in result.stdout


def test_piped_messages_are_whole_tab_separated_lines(store):
    long_body = "line one\n\tindented, C:\\dir " + "x" * 200
    message = {"message_id": "m-2-with-a-long-identifier", "service": "sns", "target": "t", "body": long_body,
               "sent_at": "later", "state_name": "Publish"}
    with REAL_CONNECT(store) as db:
        db.execute("INSERT INTO messages (message_id, service, target, message) VALUES (?, 'sns', 't', ?)",
                   (message["message_id"], json.dumps(message)))
    lines = cli("messages", "--store", store).stdout.splitlines()
    assert len(lines) == 2 and all(line.count("\t") == 5 for line in lines)
    assert lines[1].split("\t") == ["later", "sns", "t", "m-2-with-a-long-identifier",
                                    "line one\\n\\tindented, C:\\\\dir " + "x" * 200, "Publish"]

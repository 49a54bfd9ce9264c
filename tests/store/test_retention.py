"""Retention: the store stays bounded across runs, pruning removes what it says and gives the space back."""

import datetime
import json
import sqlite3

import pytest
from click.testing import CliRunner

from asl.api import machine_from_definition, run_machine
from asl.errors import UserInputError
from asl.resources.messages import Message
from asl.store import Recording, Retention, Store, parse_duration
from cli.main import sfn

# A Map of 50 items of 200 bytes: about 80 KB of store per run.
BIG = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
    "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}


def big_input(n):
    return {"items": [{"id": f"{n}-{i}", "pad": "x" * 200} for i in range(50)]}


def record(store, name, retention, days_ago=0):
    """One run of BIG recorded into the store, as `sfn run` records it."""
    recording = Recording(store, "m", name, None, big_input(name), retention=retention)
    if days_ago:
        started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)
        with store.db:
            store.db.execute("UPDATE executions SET started_at = ? WHERE arn = ?", (started.isoformat(), recording.arn))
    result = run_machine(machine_from_definition(BIG), big_input(name), clock="virtual", execution_name=name,
                         listeners=[recording.on_event])
    recording.finish(result)
    return recording


def names(store):
    return [row["name"] for row in store.executions(1000)]


def test_a_small_bound_keeps_the_store_bounded_across_many_runs(tmp_path):
    bound = 400_000
    store = Store(tmp_path / "s.db")
    sizes = []
    for n in range(25):
        record(store, f"r{n}", Retention(max_bytes=bound))
        sizes.append(store.path.stat().st_size)
        assert names(store)[0] == f"r{n}"  # the run just recorded is always kept
    assert max(sizes) <= bound
    kept = names(store)
    assert 2 <= len(kept) < 25 and kept == [f"r{n}" for n in range(24, 24 - len(kept), -1)]  # the newest
    assert store.events(store.find_execution("r24")["arn"])[-1]["type"] == "ExecutionSucceeded"


def test_the_default_retention_removes_what_started_90_days_ago(tmp_path):
    store = Store(tmp_path / "s.db")
    record(store, "ancient", Retention(), days_ago=91)
    record(store, "old", Retention(), days_ago=89)
    record(store, "new", Retention.default())
    assert names(store) == ["new", "old"]


def test_pruning_gives_the_space_back(tmp_path):
    store = Store(tmp_path / "s.db")
    for n in range(8):
        record(store, f"r{n}", Retention())
    store.add_message(Message(message_id="m", service="sqs", target="q", body="b", sent_at="now",
                              execution_arn=store.find_execution("r0")["arn"]))
    before = store.path.stat().st_size
    pruned = store.prune(Retention(keep=2))
    assert pruned.removed == 6 and names(store) == ["r7", "r6"]
    assert pruned.file_bytes_before == before and pruned.file_bytes_after == store.path.stat().st_size
    assert pruned.file_bytes_after < before / 2.5  # the file's own pages stay: its tables and indexes
    assert store.messages() == []  # what a removed execution sent goes with it
    leftover = store.db.execute("SELECT count(*) FROM history_chunks WHERE execution_arn NOT IN "
                                "(SELECT arn FROM executions)").fetchone()[0]
    assert leftover == 0


def test_pruning_an_old_store_switches_it_to_incremental_vacuum(tmp_path):
    path = tmp_path / "s.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()  # a file made without it
    sqlite3.connect(path).execute("DROP TABLE t").connection.close()
    store = Store(path)
    assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    store.prune(Retention())
    assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2


@pytest.mark.parametrize("retention,kept", [
    (Retention(keep=2), ["e4", "e3"]),
    (Retention(keep=0), []),
    (Retention(max_age=datetime.timedelta(days=3)), ["e4", "e3", "e2"]),
    (Retention(keep=4, max_age=datetime.timedelta(days=3)), ["e4", "e3", "e2"]),  # each limit holds
    (Retention(keep=1, max_age=datetime.timedelta(days=30)), ["e4"]),
    (Retention(), ["e4", "e3", "e2", "e1", "e0"]),
])
def test_keep_and_age_limits(tmp_path, retention, kept):
    store = Store(tmp_path / "s.db")
    for n in range(5):
        record(store, f"e{n}", Retention(), days_ago=4 - n + 0.5)  # e0 4.5 days ago ... e4 half a day ago
    store.prune(retention)
    assert names(store) == kept


def test_a_running_execution_is_never_pruned(tmp_path):
    store = Store(tmp_path / "s.db")
    Recording(store, "m", "running", None, {})
    record(store, "done", Retention())
    store.prune(Retention(keep=0))
    assert names(store) == ["running"]


@pytest.mark.parametrize("text,seconds", [("90d", 90 * 86400), ("12h", 43200), ("1w2d", 9 * 86400),
                                          ("30m", 1800), ("45s", 45), ("1.5h", 5400), (" 2D ", 172800)])
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "5", "d", "-1d", "1y", "1d x", "1e3s"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


@pytest.mark.parametrize("value,max_bytes", [(None, 100_000_000), ("250", 250_000_000), ("0.5", 500_000),
                                              ("0", None)])
def test_the_size_bound_comes_from_the_environment(monkeypatch, value, max_bytes):
    if value is not None:
        monkeypatch.setenv("SFN_STORE_MAX_MB", value)
    else:
        monkeypatch.delenv("SFN_STORE_MAX_MB", raising=False)
    assert Retention.default() == Retention(max_age=datetime.timedelta(days=90), max_bytes=max_bytes)


@pytest.mark.parametrize("value", ["lots", "-1", "inf", "nan"])
def test_a_bad_size_bound_is_a_one_line_error(monkeypatch, value):
    monkeypatch.setenv("SFN_STORE_MAX_MB", value)
    with pytest.raises(UserInputError, match=f"^SFN_STORE_MAX_MB='{value}': not a number of megabytes"):
        Retention.default()


# ---------------------------------------------------------------- sfn executions --prune

def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def runs(tmp_path):
    """A store holding the runs e0 ... e3 of m.json."""
    definition = tmp_path / "m.json"
    definition.write_text(json.dumps(BIG))
    path = tmp_path / "s.db"
    for n in range(4):
        assert cli("run", definition, "--store", path, "--execution-name", f"e{n}", "--output", "json",
                   "--input", json.dumps(big_input(n))).exit_code == 0
    return path


def test_cli_prune_keep(runs):
    result = cli("executions", "--store", runs, "--prune", "--keep", "1")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"removed 3 executions; {runs} is ") and "(was " in result.stdout
    listed = cli("executions", "--store", runs)
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["e3"]


def test_cli_prune_json_and_older_than(runs):
    result = cli("executions", "--store", runs, "--prune", "--older-than", "1d", "--output", "json")
    report = json.loads(result.stdout)
    assert report["removed"] == 0 and report["bytes_after"] <= report["bytes_before"]


@pytest.mark.parametrize("args,message", [
    (["--keep", "1"], "--keep and --older-than go with --prune"),
    (["--older-than", "1d"], "--keep and --older-than go with --prune"),
    (["--prune", "--older-than", "soon"], "'soon' is not a duration"),
    (["--prune", "--keep", "-1"], "Invalid value for '--keep'"),
])
def test_cli_prune_usage_errors(runs, args, message):
    result = cli("executions", "--store", runs, *args)
    assert result.exit_code == 2 and message in result.stderr


def test_cli_help_says_what_is_kept():
    text = " ".join(cli("executions", "--help").stdout.split())
    assert "90 days" in text and "SFN_STORE_MAX_MB" in text and "--prune" in text

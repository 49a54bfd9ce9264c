"""The default store: one per user, so every command finds what `sfn run` recorded, from any folder."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.store import default_path
from cli.main import sfn

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def cli(*args):
    return CliRunner().invoke(sfn, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("env,expected", [
    ({"SFN_STORE": "/x/my.db", "XDG_STATE_HOME": "/state"}, "/x/my.db"),
    ({"XDG_STATE_HOME": "/state"}, "/state/sfn/sfn.db"),
    ({"HOME": "/home/ana"}, "/home/ana/.local/state/sfn/sfn.db"),
], ids=["SFN_STORE", "XDG_STATE_HOME", "home"])
def test_where_the_default_store_is(monkeypatch, env, expected):
    for name in ("SFN_STORE", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_path() == Path(expected)


def test_every_command_finds_the_run_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SFN_STORE")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("machines", "here", "elsewhere"):
        (tmp_path / name).mkdir()
    (tmp_path / "machines" / "m.asl.json").write_text(json.dumps(PASS))
    monkeypatch.chdir(tmp_path / "here")
    assert cli("run", "../machines/m.asl.json", "--execution-name", "first", "--output", "json").exit_code == 0
    monkeypatch.chdir(tmp_path / "elsewhere")
    listed = cli("executions")
    assert listed.exit_code == 0 and listed.stdout.split("\t")[:3] == ["first", "m", "SUCCEEDED"]
    assert cli("history", "first").exit_code == 0
    assert cli("messages").exit_code == 0
    assert cli("task", "list").stdout == "no Task is waiting for a callback\n"
    assert (tmp_path / "state" / "sfn" / "sfn.db").is_file()


def test_no_store_yet_is_one_line_naming_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("SFN_STORE", str(tmp_path / "none.db"))
    result = cli("executions")
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'none.db'}: no store here: nothing was run with it yet " \
                            "(`sfn run` records into it), or pass --store PATH\n"


@pytest.mark.parametrize("command", [["run"], ["executions"], ["history"], ["messages"], ["task", "list"],
                                     ["task", "success"], ["task", "failure"], ["task", "heartbeat"]])
def test_every_help_names_the_default_store(command, monkeypatch):
    monkeypatch.setenv("SFN_STORE", "/somewhere/runs.db")
    result = CliRunner().invoke(sfn, [*command, "--help"], terminal_width=300)
    assert "(default: /somewhere/runs.db, the one store `sfn run` records into whatever the folder; " \
           "$SFN_STORE changes it)" in result.stdout, result.stdout

"""The last net of `sfn`: whatever escapes a command still ends in one line and an exit code."""

import errno

import pytest

import cli.main
from asl.errors import UserInputError


@pytest.mark.parametrize("raised,line,code", [
    (UserInputError("bad thing"), "sfn: bad thing", 2),
    (OSError(errno.EACCES, "Permission denied", "/x/y"), "sfn: /x/y: Permission denied", 2),
    (OSError(errno.ENOSPC, "No space left on device"), "sfn: cannot write the output: No space left on device", 2),
    (RuntimeError("boom"), "sfn: internal error: RuntimeError: boom (SFN_DEBUG=1 shows the traceback)", 2),
], ids=["sfn-error", "file-error", "output-error", "bug"])
def test_one_line_and_an_exit_code(monkeypatch, capsys, raised, line, code):
    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr(cli.main.sfn, "main", fail)
    monkeypatch.delenv("SFN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main.main()
    assert exited.value.code == code
    assert capsys.readouterr().err.strip() == line


def test_help_lists_every_command_with_a_whole_summary():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.main.sfn, ["--help"], terminal_width=80)
    listed = result.stdout.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in listed] == sorted(cli.main.COMMANDS)
    for line in listed:
        name, summary = line.split(None, 1)
        assert summary == cli.main.COMMANDS[name][1] and not summary.endswith("...")
        assert len(line) <= 80


def test_ctrl_c_before_a_run_begins_exits_130(monkeypatch, capsys):
    def interrupted(self, ctx, name):  # Ctrl-C while the command's module is still being imported
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.main.LazyGroup, "get_command", interrupted)
    monkeypatch.setattr("sys.argv", ["sfn", "run", "x.asl.json"])
    with pytest.raises(SystemExit) as exited:
        cli.main.main()
    assert exited.value.code == 130
    assert capsys.readouterr().err.strip() == "sfn: interrupted"

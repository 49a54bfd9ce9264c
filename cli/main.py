"""The click group `sfn`; subcommands are imported only when called, to keep start-up fast."""

from __future__ import annotations

import _signal  # signal's C core: the module `signal` only adds its enums, ~0.3 ms of every start
import gc
import importlib
import os
import sys

import click

from asl import __version__
from asl.errors import SfnError

from . import collector

# name -> (".module:attribute" of the click command in this package, its one-line summary for
# `sfn --help`). Commands are imported on first use; the summaries are here so `sfn --help` imports
# none of them. Relative, because this folder is installed as the package `sfn_cli`.
COMMANDS = {
    "run": (".commands.run:run", "Run a state machine and show how it ends."),
    "validate": (".commands.validate:validate", "Check definitions and templates, as AWS does."),
    "executions": (".commands.stored:executions", "List past executions, most recent first."),
    "history": (".commands.stored:history", "Print the history of a past execution."),
    "messages": (".commands.stored:messages", "List the messages topics and queues received."),
    "task": (".commands.task:task", "Answer a Task waiting for a callback."),
    "graph": (".commands.graph:graph", "Draw a state machine, or a past run over it."),
    "report": (".commands.report:report", "Write an execution's report as one HTML file."),
    "serve": (".commands.serve:serve", "Serve the AWS Step Functions API on localhost."),
    "test-state": (".commands.test_state:test_state", "Test one state as AWS's TestState API does."),
    "redrive": (".commands.redrive:redrive", "Redrive a failed, timed-out or aborted execution."),
    "test": (".commands.test:test", "Run test suites: cases, mocks, expectations, coverage."),
}


def report(exc: SfnError) -> None:
    """The one place an error becomes what the user reads: a line that starts with its place.

    An error that names a file (FILE:LINE:COLUMN) starts with it; a definition's diagnostics are a
    line each; any other starts with "sfn: ".
    """
    from asl.errors import DefinitionError

    from .safe_text import safe_lines as safe

    if isinstance(exc, DefinitionError):
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(exc.file), err=True)
    elif exc.located:
        click.echo(safe(str(exc)), err=True)   # a name or value from the user's files, never a terminal command
    else:
        click.echo(safe(f"sfn: {exc}"), err=True)


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) reached a command outside a run, which turns its own into ABORTED."""


class LazyGroup(click.Group):
    """A group whose subcommands live in their own modules and load on demand."""

    def invoke(self, ctx: click.Context):
        """Run the subcommand; an SfnError it raises is reported here, with its exit code."""
        try:
            return super().invoke(ctx)
        except SfnError as exc:
            report(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1; a Ctrl-C before a run has begun exits 130.
            raise Interrupted() from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module, __package__), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple:
        """The subcommand, imported; the collector resumes now unless the command resumes it itself (`run`)."""
        found = super().resolve_command(ctx, args)
        if not getattr(found[1], "resumes_collector", False):
            collector.resume()
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, from the summaries above (whole, and without importing any command)."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="sfn")
def sfn() -> None:
    """Run, validate and debug AWS Step Functions state machines locally.

    \b
    Exit codes:
      0  success (execution SUCCEEDED, or every file valid)
      1  the execution ended FAILED / TIMED_OUT / ABORTED, or a file is invalid
      2  usage error, unreadable file or a definition that cannot run
    """


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point: click's usage errors exit 2, never a traceback."""
    # SIGTERM (kill, docker stop) ends a run as Ctrl-C does: ABORTED, with its events recorded.
    _signal.signal(_signal.SIGTERM, _terminate)
    collector.pause()  # until the command's work starts (collector.resume)
    try:
        try:
            sfn.main(prog_name="sfn")
        finally:
            # The command is done: the collections Python runs at exit would walk every object left
            # (modules, a run's history) to free what ends with the process anyway, ~10 ms of a small run.
            gc.freeze()
    except (KeyboardInterrupt, Interrupted):
        click.echo("sfn: interrupted", err=True)
        sys.exit(130)
    except SfnError as exc:  # raised outside a subcommand (while parsing the command line)
        report(exc)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # The reader went away (`sfn ... | head`): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:
        # A file operation names its file; one that does not is writing the output (a full disk).
        where = f"{exc.filename}: " if exc.filename else "cannot write the output: "
        from .safe_text import safe_lines

        click.echo(safe_lines(f"sfn: {where}{exc.strerror or exc}"), err=True)
        sys.exit(2)
    except UnicodeEncodeError as exc:
        click.echo(f"sfn: the output cannot be written in this terminal's encoding ({exc.encoding}); "
                   "set PYTHONIOENCODING=utf-8", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug in sfn: still one line, unless asked for the traceback
        if os.environ.get("SFN_DEBUG"):
            raise
        from .safe_text import safe_lines

        click.echo(safe_lines(f"sfn: internal error: {type(exc).__name__}: {exc} "
                              "(SFN_DEBUG=1 shows the traceback)"), err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

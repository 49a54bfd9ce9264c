"""`sfn validate FILE...`: schema and semantic checks with exact positions; exit 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from dataclasses import field

import click

from asl.diagnostics import ERROR, Diagnostic, printable
from asl.record import record
from asl.errors import UserInputError
from asl.loader import DEFINITION_LIMIT, load_text, read_text
from asl.source import Position


@record   # @dataclass, without compiling its methods at every start
class Report:
    """What the run found, file by file; decides the exit code in one place."""

    results: list[tuple[str, list[Diagnostic], str]] = field(default_factory=list)   # (file, found, text)
    unreadable: list[tuple[str, str]] = field(default_factory=list)   # (file, message)
    empty_directories: list[str] = field(default_factory=list)

    @property
    def invalid_files(self) -> int:
        return sum(any(d.severity == ERROR for d in diags) for _, diags, _ in self.results)

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.invalid_files else 0

    def check(self, path: str, found_in_directory: bool = False) -> None:
        """Validate one file into the report (one found in a directory only if it holds a machine)."""
        try:
            text = read_text(path, DEFINITION_LIMIT)
            found = check_text(text, path, found_in_directory)
        except UserInputError as exc:
            if not found_in_directory:
                self.unreadable.append((path, exc.message))
            return
        if found is not None:
            self.results.append((path, found, text))

    def check_directory(self, root: str) -> None:
        """Validate the definitions under a directory (see asl.validate.discover for which)."""
        from asl.validate.discover import definition_files

        before = len(self.results) + len(self.unreadable)
        for path, named in definition_files(root):
            self.check(path, found_in_directory=not named)
        if len(self.results) + len(self.unreadable) == before:
            self.empty_directories.append(root)


def check_file(path: str) -> list[Diagnostic]:
    """Diagnostics of one file; raises UserInputError only when the file cannot be read at all."""
    return check_text(read_text(path, DEFINITION_LIMIT), path)


def check_text(text: str, path: str, only_machines: bool = False) -> list[Diagnostic] | None:
    """Diagnostics of a file's text; None when `only_machines` and it holds no state machine."""
    if only_machines:
        from asl.validate.discover import may_hold_a_machine

        if not may_hold_a_machine(text):
            return None
    if not text.strip():
        return [Diagnostic("MISSING_DESCRIPTION", "The file is empty: no state machine definition", "", ERROR,
                           Position(1, 1))]
    try:
        document = load_text(text, path)
    except UserInputError as exc:
        document = _load_template_yaml(text, path, exc)
        if document is None:
            loc = exc.location
            position = Position(loc.line, loc.column or 1) if loc and loc.line else None
            return [Diagnostic("INVALID_JSON_DESCRIPTION", exc.message, "", ERROR, position)]
    if only_machines:
        from asl.validate.discover import holds_a_machine

        if not holds_a_machine(document.data):
            return None
    from asl.validate import validate  # after the cheap checks: keeps `--help` fast

    return validate(document, text)


def _load_template_yaml(text: str, path: str, exc: UserInputError):
    """CloudFormation YAML uses short-form tags (!Sub, !GetAtt) the plain loader refuses."""
    if "could not determine a constructor for the tag '!" not in exc.message:
        return None
    from asl.validate.cfn_yaml import load_template

    return load_template(text, path)


def _render_text(report: Report, quiet: bool) -> None:
    snippets = _is_terminal()
    for path, diags, text in report.results:
        lines = text.split("\n") if snippets else []
        for d in diags:
            if quiet and d.severity != ERROR:
                continue
            click.echo(d.format(path))
            for line in _snippet(lines, d):
                click.echo(line)
    for path, message in report.unreadable:
        click.echo(printable(f"{path}: {message}"), err=True)
    for path in report.empty_directories:
        click.echo(printable(f"{path}: no state machine definitions found"), err=True)
    if not quiet:
        files = len(report.results) + len(report.unreadable)
        errors = sum(d.severity == ERROR for _, ds, _ in report.results for d in ds)
        warnings = sum(d.severity != ERROR for _, ds, _ in report.results for d in ds)
        verdict = "all valid" if report.exit_code == 0 else (
            f"{report.invalid_files} invalid" + (f", {len(report.unreadable)} unreadable" if report.unreadable else ""))
        click.echo(f"{files} file{'s' if files != 1 else ''} checked: {verdict} "
                   f"({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})",
                   err=report.exit_code != 0)


def _is_terminal() -> bool:
    """Whether stdout is a terminal (a person reads it: show the source under each diagnostic)."""
    return sys.stdout.isatty()


SNIPPET_WIDTH = 100   # characters of a long (minified) line shown around the place


def _snippet(lines: list[str], d: Diagnostic) -> list[str]:
    """The offending source line and a caret under the place, as compilers show them."""
    at = d.position
    if at is None or not 1 <= at.line <= len(lines):
        return []
    line = lines[at.line - 1].removesuffix("\r")
    column = min(at.column - 1, len(line))
    start = max(0, min(column - SNIPPET_WIDTH // 2, len(line) - SNIPPET_WIDTH))
    end = start + SNIPPET_WIDTH
    before = ("..." if start else "") + _shown(line[start:column])
    after = _shown(line[column:end]) + ("..." if end < len(line) else "")
    gutter = str(at.line)
    return [f" {gutter} | {before}{after}".rstrip(), f" {' ' * len(gutter)} | {' ' * _width(before)}^"]


def _shown(text: str) -> str:
    return printable(text.replace("\t", "    "))


def _width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


_C1 = re.compile(r"[\x7f-\x9f]")


def _render_json(report: Report, quiet: bool) -> None:
    items = [d.as_dict(path) for path, diags, _ in report.results for d in diags
             if not (quiet and d.severity != ERROR)]
    items += [{"file": path, "line": None, "column": None, "severity": ERROR, "code": "UNREADABLE_FILE",
               "pointer": "", "message": message} for path, message in report.unreadable]
    # json escapes C0 controls itself; DEL and C1 controls (a raw CSI) get \u escapes too.
    text = json.dumps(items, indent=2, ensure_ascii=False)
    click.echo(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def _render_github(report: Report, quiet: bool) -> None:
    for path, diags, _ in report.results:
        for d in diags:
            if quiet and d.severity != ERROR:
                continue
            kind = "error" if d.severity == ERROR else "warning"
            where = f"file={_gh(path)}"
            if d.position:
                where += f",line={d.position.line},col={d.position.column}"
            click.echo(f"::{kind} {where},title={d.code}::{_gh_message(d.message)}")
    for path, message in report.unreadable:
        click.echo(f"::error file={_gh(path)},title=UNREADABLE_FILE::{_gh_message(message)}")


def _gh(value: str) -> str:
    value = printable(value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _gh_message(value: str) -> str:
    value = printable(value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


RENDERERS = {"text": _render_text, "json": _render_json, "github": _render_github}


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="text: FILE:LINE:COLUMN: SEVERITY CODE message (on a terminal, with the source line "
                   "and a caret under the place); json: a list; github: CI annotations.")
@click.option("--quiet", "-q", is_flag=True, help="Only errors, no warnings and no summary.")
def validate(files: tuple[str, ...], fmt: str, quiet: bool) -> None:
    """Validate state machine definitions (JSON, YAML, or CloudFormation / SAM templates).

    A directory is searched recursively: every *.asl.json, *.asl.yaml and *.asl.yml, and every
    other *.json, *.yaml or *.yml (up to 1 MB) holding a definition (a top-level StartAt and
    States) or a CloudFormation / SAM template with a state machine. Hidden directories,
    node_modules, __pycache__ and Python virtual environments are skipped.

    \b
    Examples:
      sfn validate order.asl.json
      sfn validate machines/ --format github
    \b
    Exit codes:
      0  every file is valid (warnings allowed)
      1  some file has an error
      2  usage error or a file that cannot be read
    """
    report = Report()
    for path in files:
        if os.path.isdir(path):
            report.check_directory(path)
        else:
            report.check(path)
    RENDERERS[fmt](report, quiet)
    sys.exit(report.exit_code)

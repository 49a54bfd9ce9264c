"""`sfn validate FILE...`: schema and semantic checks with exact positions; exit 0 / 1 / 2."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

import click

from asl.diagnostics import ERROR, Diagnostic
from asl.errors import UserInputError
from asl.loader import load_text, read_text
from asl.source import Position


@dataclass
class Report:
    """What the run found, file by file; decides the exit code in one place."""

    results: list[tuple[str, list[Diagnostic]]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)   # (file, message)

    @property
    def invalid_files(self) -> int:
        return sum(any(d.severity == ERROR for d in diags) for _, diags in self.results)

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.invalid_files else 0


def check_file(path: str) -> list[Diagnostic]:
    """Diagnostics of one file; raises UserInputError only when the file cannot be read at all."""
    text = read_text(path)
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
    from asl.validate import validate  # after the cheap checks: keeps `--help` fast

    return validate(document, text)


def _load_template_yaml(text: str, path: str, exc: UserInputError):
    """CloudFormation YAML uses short-form tags (!Sub, !GetAtt) the plain loader refuses."""
    if "could not determine a constructor for the tag '!" not in exc.message:
        return None
    from asl.validate.cfn_yaml import load_template

    return load_template(text, path)


def _render_text(report: Report, quiet: bool) -> None:
    for path, diags in report.results:
        for d in diags:
            if quiet and d.severity != ERROR:
                continue
            click.echo(d.format(path))
    for path, message in report.unreadable:
        click.echo(f"{path}: {message}", err=True)
    if not quiet:
        files = len(report.results) + len(report.unreadable)
        errors = sum(d.severity == ERROR for _, ds in report.results for d in ds)
        warnings = sum(d.severity != ERROR for _, ds in report.results for d in ds)
        verdict = "all valid" if report.exit_code == 0 else (
            f"{report.invalid_files} invalid" + (f", {len(report.unreadable)} unreadable" if report.unreadable else ""))
        click.echo(f"{files} file{'s' if files != 1 else ''} checked: {verdict} "
                   f"({errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})",
                   err=report.exit_code != 0)


def _render_json(report: Report, quiet: bool) -> None:
    items = [d.as_dict(path) for path, diags in report.results for d in diags
             if not (quiet and d.severity != ERROR)]
    items += [{"file": path, "line": None, "column": None, "severity": ERROR, "code": "UNREADABLE_FILE",
               "pointer": "", "message": message} for path, message in report.unreadable]
    click.echo(json.dumps(items, indent=2, ensure_ascii=False))


def _render_github(report: Report, quiet: bool) -> None:
    for path, diags in report.results:
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
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _gh_message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


RENDERERS = {"text": _render_text, "json": _render_json, "github": _render_github}


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="text: FILE:LINE:COLUMN: SEVERITY CODE message; json: a list; github: CI annotations.")
@click.option("--quiet", "-q", is_flag=True, help="Only errors, no warnings and no summary.")
def validate(files: tuple[str, ...], fmt: str, quiet: bool) -> None:
    """Validate state machine definitions (JSON, YAML, or CloudFormation / SAM templates).

    \b
    Examples:
      sfn validate order.asl.json
      sfn validate machines/*.asl.yaml --format github
    \b
    Exit codes:
      0  every file is valid (warnings allowed)
      1  some file has an error
      2  usage error or a file that cannot be read
    """
    report = Report()
    for path in files:
        try:
            report.results.append((path, check_file(path)))
        except UserInputError as exc:
            report.unreadable.append((path, exc.message))
    RENDERERS[fmt](report, quiet)
    sys.exit(report.exit_code)

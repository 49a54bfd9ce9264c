"""`sfn test SUITE.yaml ...`: run test suites (asl.testkit.suite); exit 0 only when every case passes."""

from __future__ import annotations

import sys

import click

from ..writable import check_writable


@click.command("test")
@click.argument("suites", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--junit-xml", "junit_file", type=click.Path(dir_okay=False), help="Write JUnit XML here (for CI).")
@click.option("--coverage", is_flag=True, help="Print the path coverage of the definitions the suites ran.")
@click.option("--coverage-json", type=click.Path(dir_okay=False), help="Write the coverage as JSON here.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PCT",
              help="Fail (exit 1) when transition coverage is below PCT percent.")
def test(suites, junit_file, coverage, coverage_json, fail_under) -> None:
    """Run test suites: a definition, mocks, and cases with input and expectations.

    \b
    Exit codes: 0 every case passed (and coverage reached --fail-under); 1 a case failed
    or coverage fell short; 2 a suite could not be read (FILE:LINE:COLUMN: why).

    \b
    Example:
      sfn test samples/testing/checkout.suite.yaml --coverage --junit-xml report.xml
    """
    import json

    from asl.testkit.coverage import Coverage
    from asl.testkit.runner import Runner
    from asl.testkit.suite import load_suite, run_suite

    loaded = [load_suite(path) for path in suites]  # every suite checked before any case runs
    for target in (junit_file, coverage_json):
        if target:
            check_writable(target, "the report")  # before the cases run: handlers have effects
    measured = Coverage()
    runner = Runner(measured)
    results = []
    for suite in loaded:
        click.echo(suite.file)
        for result in run_suite(suite, runner=runner):
            results.append(result)
            _show(result)
    passed = sum(1 for r in results if r.passed)
    failed = len(results) - passed
    click.echo(f"{passed} passed, {failed} failed" if failed else f"{passed} passed")
    if junit_file:
        from asl.testkit.junit import write_junit_xml

        write_junit_xml(results, junit_file)
    if coverage_json:
        with open(coverage_json, "w", encoding="utf-8") as out:
            json.dump(measured.as_json(), out, indent=1)
            out.write("\n")
    if coverage or fail_under is not None:
        click.echo("\ncoverage")
        click.echo(measured.format())
    short = False
    if fail_under is not None:
        total = measured.total()
        if total.percent < fail_under:
            short = True
            click.echo(f"transition coverage {total.percent:.1f}% ({total.covered}/{total.total}) is below "
                       f"{fail_under:g}%", err=True)
    sys.exit(1 if failed or short else 0)


def _show(result) -> None:
    """One line per case; a failing case's reasons and its execution, indented."""
    if result.passed:
        click.echo(f"  {click.style('PASS', fg='green')} {result.case.name}")
        return
    click.echo(f"  {click.style('FAIL', fg='red')} {result.case.name}")
    for line in ([result.error] if result.error else result.failures):
        for part in line.splitlines():
            click.echo(f"       {part}")
    if result.execution is not None:
        for part in result.execution.describe().splitlines():
            click.echo(f"       {part}")

"""samples/testing: its pytest file and its suite pass and each reach 100% transition coverage."""

import shutil
from pathlib import Path

from click.testing import CliRunner

from cli.main import sfn

pytest_plugins = ["pytester"]

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "testing"


def test_the_sample_pytest_file_covers_every_transition(pytester):
    for name in ("checkout.asl.json", "checkout_handlers.py", "resources.yaml", "test_checkout.py"):
        shutil.copy(SAMPLE / name, pytester.path / name)
    result = pytester.runpytest("--sfn-coverage", "--sfn-coverage-fail-under=100", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["checkout.asl.json", "  states*11/11*100.0%", "  transitions*9/9*100.0%",
                                 "  retriers*1/1*100.0%", "  branches*2/2*100.0%"])


def test_the_sample_suite_covers_every_transition():
    result = CliRunner().invoke(sfn, ["test", str(SAMPLE / "checkout.suite.yaml"), "--fail-under", "100"])
    assert result.exit_code == 0, result.output
    assert "5 passed" in result.output and "FAIL" not in result.output
    assert [line.split()[1:] for line in result.output.splitlines() if line.strip().startswith("transitions")] \
        == [["9/9", "100.0%"]]

"""`sfn test`: cases shown, exit codes, JUnit XML (parsed), coverage table and JSON, --fail-under."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from cli.main import sfn

MACHINE = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Work"}],
                  "Default": "Stop"},
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": True},
        "Stop": {"Type": "Fail", "Error": "Stopped"},
    },
}

SUITE = """definition: m.asl.json
mocks: {Work: {Return: {done: 1}}}
cases:
  goes:
    input: {go: true}
    expect: {status: SUCCEEDED, output: {done: 1}}
  stops:
    input: {go: false}
    expect: {status: FAILED, error: Stopped}
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.asl.json").write_text(json.dumps(MACHINE))
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(sfn, ["test", *map(str, args)], catch_exceptions=False)


def test_all_passing_exits_0_with_coverage(folder):
    (folder / "s.yaml").write_text(SUITE)
    result = invoke("s.yaml", "--coverage", "--fail-under", "100")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == ["s.yaml", "  PASS goes", "  PASS stops", "2 passed"]
    assert [line.split() for line in lines if "transitions" in line] == [["transitions", "2/2", "100.0%"]]


def test_a_failing_case_exits_1_and_says_why(folder):
    (folder / "s.yaml").write_text(SUITE.replace("error: Stopped", "error: Halted"))
    result = invoke("s.yaml")
    assert result.exit_code == 1
    assert "  FAIL stops" in result.output
    assert "error: expected 'Halted', got 'Stopped'" in result.output
    assert "path:  Check -> Stop" in result.output
    assert result.output.splitlines()[-1] == "1 passed, 1 failed"


def test_coverage_below_the_floor_exits_1(folder):
    (folder / "s.yaml").write_text(SUITE.split("  stops:")[0])
    result = invoke("s.yaml", "--fail-under", "60")  # (click >= 8.2: output holds stderr too)
    assert result.exit_code == 1
    assert "transition coverage 50.0% (1/2) is below 60%" in result.output


def test_malformed_suite_exits_2_with_its_place(folder):
    (folder / "s.yaml").write_text("definition: m.asl.json\ncases:\n  a:\n    expect: {status: DONE}\n")
    result = invoke("s.yaml")
    assert result.exit_code == 2
    assert "s.yaml:4:22: status must be one of" in result.output
    assert "Traceback" not in result.output


def test_junit_xml_and_coverage_json(folder):
    (folder / "s.yaml").write_text(SUITE.replace("output: {done: 1}", "output: {done: 2}"))
    result = invoke("s.yaml", "--junit-xml", "out.xml", "--coverage-json", "cov.json")
    assert result.exit_code == 1
    root = ET.parse(folder / "out.xml").getroot()
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    (suite,) = root
    assert suite.get("name") == "s.yaml" and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite}
    assert cases["stops"].find("failure") is None
    failure = cases["goes"].find("failure")
    assert failure.get("message") == "output differs:"
    assert '-  "done": 2' in failure.text and '+  "done": 1' in failure.text
    assert "path:  Check -> Work" in cases["goes"].find("system-out").text
    coverage = json.loads((folder / "cov.json").read_text())
    assert coverage["total"]["transitions"] == {"covered": 2, "total": 2, "percent": 100.0}


def test_a_case_error_is_a_junit_error(folder):
    (folder / "s.yaml").write_text(SUITE.replace("mocks: {Work: {Return: {done: 1}}}\n", "")
                                   .replace("  stops:", "  stops:\n    mocks: {Nope: {Return: 1}}"))
    result = invoke("s.yaml", "--junit-xml", "out.xml")
    assert result.exit_code == 1
    root = ET.parse(folder / "out.xml").getroot()
    assert root.get("errors") == "1" and root.get("failures") == "1"
    error = root.find(".//testcase[@name='stops']/error")
    assert "mocks name 'Nope'" in error.get("message")


def test_the_installed_command(folder):
    (folder / "s.yaml").write_text(SUITE)
    done = subprocess.run([sys.executable, "-c", "from sfn_cli.main import main; main()", "test", "s.yaml"],
                          capture_output=True, text=True, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "2 passed"


def test_an_unwritable_junit_file_is_refused_before_any_case_runs(folder):
    (folder / "s.yaml").write_text(SUITE)
    result = invoke("s.yaml", "--junit-xml", folder / "missing" / "out.xml")
    assert result.exit_code == 2
    assert "out.xml: cannot write the report: No such file or directory" in result.output
    assert "PASS" not in result.output

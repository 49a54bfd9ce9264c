"""JUnit XML for CI: one <testsuite> per suite file, one <testcase> per case."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable

from .suite import CaseResult


def junit_xml(results: Iterable[CaseResult]) -> str:
    """The results as a JUnit XML document (failures with their messages, the path taken as system-out)."""
    root = ET.Element("testsuites", name="sfn test")
    suites: dict[str, ET.Element] = {}
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for result in results:
        suite = suites.get(result.suite.file)
        if suite is None:
            suite = suites[result.suite.file] = ET.SubElement(
                root, "testsuite", name=result.suite.name, file=result.suite.file,
                tests="0", failures="0", errors="0", time="0")
        case = ET.SubElement(suite, "testcase", classname=result.suite.name, name=result.case.name,
                             time=f"{result.seconds:.3f}")
        kind = None
        if result.error is not None:
            kind = "errors"
            ET.SubElement(case, "error", message=result.error).text = result.error
        elif result.failures:
            kind = "failures"
            ET.SubElement(case, "failure", message=result.failures[0].splitlines()[0]).text = \
                "\n".join(result.failures)
        if result.execution is not None:
            ET.SubElement(case, "system-out").text = result.execution.describe()
        for key in ("tests",) + ((kind,) if kind else ()):
            suite.set(key, str(int(suite.get(key)) + 1))
            totals[key] += 1
        suite.set("time", f"{float(suite.get('time')) + result.seconds:.3f}")
        seconds += result.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit_xml(results: Iterable[CaseResult], path: str | Path) -> None:
    """Write junit_xml(results) to a file."""
    Path(path).write_text(junit_xml(results), encoding="utf-8")

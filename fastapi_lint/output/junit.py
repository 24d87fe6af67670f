"""JUnit XML: one test suite per file, one failing test case per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TextIO

from fastapi_lint.output.report import Report, display_path


def render(report: Report, out: TextIO) -> None:
    suites = ET.Element("testsuites", name="fastapi-lint")
    total = 0
    for path, group in groupby(report.findings, key=lambda f: f.path):
        findings = list(group)
        shown = display_path(path)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=shown,
            tests=str(len(findings)),
            failures=str(len(findings)),
            errors="0",
        )
        for f in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"org.fastapi-lint.{f.code}",
                classname=shown,
                file=shown,
                line=str(f.line),
                column=str(f.col),
            )
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = f"line {f.line}, col {f.col}, {f.code} {f.message}"
        total += len(findings)
    for error in report.errors:
        shown = display_path(error.path)
        suite = ET.SubElement(suites, "testsuite", name=shown, tests="1", failures="0", errors="1")
        case = ET.SubElement(
            suite, "testcase", name=f"org.fastapi-lint.{error.code}", classname=shown
        )
        element = ET.SubElement(case, "error", message=error.message, type=error.code)
        element.text = error.render()
    if not report.findings and not report.errors:
        suite = ET.SubElement(
            suites, "testsuite", name="fastapi-lint", tests="1", failures="0", errors="0"
        )
        ET.SubElement(suite, "testcase", name="No errors found", classname="fastapi-lint")
    suites.set("tests", str(max(total, 1) if not report.errors else total + len(report.errors)))
    suites.set("failures", str(total))
    suites.set("errors", str(len(report.errors)))
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")

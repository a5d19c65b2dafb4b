"""JUnit XML, for CI systems that show test reports (GitLab merge requests, Jenkins, Azure Pipelines).

One testsuite; a testcase per checked file (so clean files show as passed tests); a ``<failure>`` per finding;
an ``<error>`` for a file that could not be (fully) checked and ``<skipped>`` for one skipped on purpose.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from lint.model import Finding
from lint.report import BaseReporter, Summary, is_waived, waiver_note
from lint.report._paths import portable_path

# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


class _Case:
    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.waived: list[Finding] = []  # --show-waived: listed in <system-out>, not failures
        self.errors: list[str] = []
        self.skipped: list[str] = []


class Reporter(BaseReporter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases: dict[str, _Case] = {}  # insertion order = report order

    def _case(self, path: str) -> _Case:
        return self.cases.setdefault(path, _Case(path))

    def finding(self, f: Finding) -> None:
        case = self._case(f.path)
        (case.waived if is_waived(f) else case.findings).append(f)

    def file_done(self, result: Any) -> None:
        case = self._case(result.path)
        case.errors += result.errors
        case.skipped += result.notices

    def finish(self, summary: Summary) -> None:
        suite = ET.Element("testsuite", name="clinic-lint")
        for case in self.cases.values():
            suite.append(_testcase(case))
        counts = {
            "tests": len(self.cases),
            "failures": sum(1 for c in self.cases.values() if c.findings and not c.errors),
            "errors": sum(1 for c in self.cases.values() if c.errors),
            "skipped": sum(1 for c in self.cases.values() if c.skipped and not c.findings and not c.errors),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
        root = ET.Element("testsuites", name="clinic-lint", **{k: str(v) for k, v in counts.items()})
        root.append(suite)
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(root, encoding="unicode") + "\n")


def _testcase(case: _Case) -> ET.Element:
    path = _clean(portable_path(case.path))
    el = ET.Element("testcase", classname="clinic-lint", name=path, file=path)
    for f in case.findings:
        failure = ET.SubElement(el, "failure", type=f.rule, message=_clean(f"{f.rule}: {f.message}"))
        detail = f"{path}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}"
        detail += f"\n    suggestion: {f.suggestion}" if f.suggestion else ""
        failure.text = _clean(detail + (f"\n    waiver: {waiver_note(f)}" if f.waiver else ""))
    for message in case.errors:
        ET.SubElement(el, "error", message=_clean(message)).text = _clean(message)
    for message in case.skipped:
        ET.SubElement(el, "skipped", message=_clean(message))
    if case.waived:
        lines = [f"{path}:{f.line}:{f.column}: waived {f.rule}: {waiver_note(f)}" for f in case.waived]
        ET.SubElement(el, "system-out").text = _clean("\n".join(lines))
    return el

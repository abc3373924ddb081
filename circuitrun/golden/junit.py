"""``check --junit-xml FILE``: the report as JUnit XML, the dialect Jenkins and GitLab
read (the Jenkins xUnit plugin's junit-10.xsd): one ``testcase`` per spec and per stale
golden file, a ``failure`` (with the spec's whole diff) for each that failed, ``skipped``
for one skipped.  ``failures`` counts exactly what ``check`` counts as failed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from circuitrun.golden.report import CheckReport, SpecCheck
from circuitrun.report.atomic import write_atomic

# XML 1.0 cannot hold these characters at all, not even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _kind(spec: SpecCheck) -> str:
    if spec.problems:
        return "invalid-spec"
    if spec.error:
        return "write-error"
    if spec.missing:
        return "nothing-to-compare"
    return "mismatch"


def junit_xml(report: CheckReport) -> str:
    """The report as a JUnit XML document."""
    suite = ET.Element("testsuite", {
        "name": "circuitrun check", "tests": str(len(report.specs) + len(report.stale)),
        "failures": str(report.failed), "errors": "0", "skipped": str(report.skipped)})
    for s in report.specs:
        case = ET.SubElement(suite, "testcase", {"name": _xml_text(s.path),
                                                 "classname": "circuitrun.check"})
        if s.failed:
            lines = [str(text) for text, _ in s.lines(verbose=True)]
            first = s.summary() or lines[0]
            failure = ET.SubElement(case, "failure", {"type": _kind(s),
                                                      "message": _xml_text(first)})
            failure.text = _xml_text("\n".join(lines))
        elif s.skipped:
            ET.SubElement(case, "skipped", {"message": "nothing to compare"})
    for g in report.stale:
        case = ET.SubElement(suite, "testcase", {"name": _xml_text(g.path),
                                                 "classname": "circuitrun.check.stale"})
        if not g.removed:
            text, _ = g.line()
            ET.SubElement(case, "failure", {"type": "stale-golden",
                                            "message": _xml_text(text)}).text = _xml_text(text)
    root = ET.Element("testsuites", {"name": "circuitrun check", "tests": suite.get("tests", ""),
                                     "failures": suite.get("failures", ""), "errors": "0"})
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(report: CheckReport, path: str | Path) -> None:
    """Write the JUnit XML of ``report`` to ``path``, whole or not at all."""
    write_atomic(path, junit_xml(report))

"""The CLI's JUnit XML report (--junit FILE), as CI servers read it: a <testcase> per file
and board; a flaky file (passed only on a rerun) passes, with its first failure in a
<flakyFailure> element (the Maven Surefire convention Jenkins and GitLab show) and in
properties."""

import time
import xml.etree.ElementTree as ET

from .results import ABORTED, ERROR, FAIL, SKIP, TIMEOUT


def write_junit(path, results, started, name="device-suite"):
    suite = ET.Element(
        "testsuite",
        name=name,
        timestamp=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        time=f"{time.time() - started:.3f}",
        tests=str(len(results)),
    )
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=r.board, name=r.test, time=f"{r.duration:.3f}"
        )
        properties = ET.SubElement(case, "properties")
        for key in ("board", "status", "attempts", "known_flaky"):
            value = getattr(r, key)
            if value not in ("", None):
                ET.SubElement(properties, "property", name=key, value=str(value))
        if r.flaky:
            ET.SubElement(properties, "property", name="flaky", value=r.first_failure)
            status, _, message = r.first_failure.partition(": ")
            ET.SubElement(case, "flakyFailure", message=message, type=status)
        if r.status == FAIL:
            counts["failures"] += 1
            ET.SubElement(case, "failure", message=r.message, type=r.status).text = (
                r.diff or r.output
            )
        elif r.status in (ERROR, TIMEOUT, ABORTED):
            counts["errors"] += 1
            ET.SubElement(case, "error", message=r.message, type=r.status).text = r.output
        elif r.status == SKIP:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=r.message)
        if r.recovery:
            ET.SubElement(properties, "property", name="recovery", value="; ".join(r.recovery))
    for key, value in counts.items():
        suite.set(key, str(value))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)

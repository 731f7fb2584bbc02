"""Per-test results, their verdicts, and the JSON report."""

import difflib
import json
import time
from dataclasses import asdict, dataclass, field

PASS, FAIL, ERROR, TIMEOUT, SKIP, ABORTED = "pass", "fail", "error", "timeout", "skip", "aborted"
BAD = (FAIL, ERROR, TIMEOUT, ABORTED)
DEFAULT_LEAK_THRESHOLD = 2048  # bytes of heap not given back after a test's objects are dropped


@dataclass
class TestResult:
    test: str
    board: str
    status: str
    duration: float = 0.0
    message: str = ""
    diff: str = ""
    output: str = ""
    heap_before: int | None = None
    heap_after: int | None = None
    leak: bool = False
    recovery: list = field(default_factory=list)  # what the runner had to do to get the board back

    @property
    def ok(self):
        return self.status not in BAD


def unified_diff(expected, got, name):
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            got.splitlines(keepends=True),
            fromfile=f"{name} (expected)",
            tofile=f"{name} (device)",
        )
    )


def judge(test, out, error, expected):
    """(status, message, diff) for one finished run of test; out is the Capture of its stdout."""
    output = out.start_text()
    if out.complete and output.strip() == "SKIP":
        return SKIP, "test printed SKIP", ""
    if test.kind == "hwtest":
        fails, summary = out.hwtest_lines()
        if fails:
            return FAIL, "; ".join(fails)[:500], ""
        if error:
            return ERROR, _last_line(error), ""
        if not summary:
            return FAIL, "no 'hwtest: N passed, M failed' line (did it call hwtest.main()?)", ""
        return PASS, summary, ""
    if error:
        # A traceback is part of the output the device gave: show it in the diff too.
        got = out.shown() + error
        diff = unified_diff(expected, got, test.name) if expected is not None else ""
        return ERROR, _last_line(error), diff
    if expected is not None and not (out.complete and output == expected):
        message = "output differs from expected"
        if not out.complete:
            message += (
                f" (it printed {out.size:,} bytes, far more than expected: "
                "the diff shows the start)"
            )
        return FAIL, message, unified_diff(expected, out.shown(), test.name)
    return PASS, "", ""


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def summary(results):
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    counts["leaks"] = sum(1 for r in results if r.leak)
    return counts


def write_json(path, results, boards, started, mode):
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "duration": round(time.time() - started, 3),
        "mode": mode,
        "boards": boards,
        "summary": summary(results),
        "tests": [asdict(r) for r in results],
    }
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

"""Reruns of failing test files (--rerun-failed N) and the known-flaky list.

A file that fails is run again on the same board, up to N more times; one that then
passes is reported as flaky (it passed only on a rerun), with its first failure, never
as a plain pass. The known-flaky list (tests_hw/known-flaky.txt, or --known-flaky FILE)
names files known to be flaky, each with why: they get KNOWN_FLAKY_RERUNS reruns even
without --rerun-failed, and their reports say they are known, so a new flaky file
stands out.
"""

from pathlib import Path

from . import errors

DEFAULT_LIST = Path(__file__).resolve().parents[1] / "known-flaky.txt"
KNOWN_FLAKY_RERUNS = 2


def read_known(path):
    """{test file name: why} from a list of `test_x.py: why` lines (# comments)."""
    path = Path(path)
    known = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        if path == DEFAULT_LIST:
            return known
        raise errors.UsageError(f"known-flaky list {path}: no such file") from None
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, why = line.partition(":")
        name, why = name.strip(), why.strip()
        if not name.endswith(".py") or not why or " " in name:
            raise errors.UsageError(
                f"{path}:{number}: want 'test_file.py: why it is flaky', not {line!r}"
            )
        known[name] = why
    return known


class Reruns:
    def __init__(self, rerun_failed=0, known=None):
        if rerun_failed < 0:
            raise errors.UsageError(
                f"--rerun-failed wants a count of 0 or more, not {rerun_failed}"
            )
        self.rerun_failed = rerun_failed
        self.known = known or {}

    def allowed(self, test_name):
        if test_name in self.known:
            return max(self.rerun_failed, KNOWN_FLAKY_RERUNS)
        return self.rerun_failed

    def settle(self, first, final, attempts):
        """The result to report: `final` (the last attempt's), told how it got there."""
        final.attempts = attempts
        final.known_flaky = self.known.get(final.test, "")
        if attempts > 1 and final.ok:
            final.flaky = True
            final.first_failure = f"{first.status}: {first.message}"
        return final

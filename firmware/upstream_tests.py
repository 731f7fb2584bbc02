"""MicroPython's own asyncio tests, unmodified, against our images and stock ones.

The tests come from a MicroPython tree's tests/ folder (by default the tree the images
were built from) and run through that tree's own run-tests.py / run-multitests.py.
The verdict: every test that passes on the stock image of the same MicroPython must
pass on ours; without a stock image, every test must pass or skip.
"""

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from . import boards, source
from .build import image_dir
from .emulator import qemu_command
from .errors import FirmwareError, ImageMissing
from .paths import BUILD_DIR

SINGLE = ("extmod/asyncio_*.py", "net_hosted/asyncio_*.py")

# Tests that check upstream's documented limitations, which our asyncio
# lifts (its answer is CPython's): their "failure" on ours is the point.
BEYOND_UPSTREAM = {
    "extmod/asyncio_gather_notimpl.py": (
        "a task can be awaited and gathered at once (upstream raises "
        '"can\'t wait"/"can\'t gather"; CPython allows it)'
    ),
}
MULTI = ("multi_net/asyncio_*.py",)
# run-tests.py prints "pass extmod/x.py"; run-multitests.py "multi_net/x.py on a|b: pass".
RESULT_LINE = re.compile(r"^(pass|skip|FAIL)\s+(\S+)\s*$", re.M)
MULTI_LINE = re.compile(r"^(\S+) on \S+: (pass|skip|FAIL)\s*$", re.M)


def _tests(tests_dir, patterns, network):
    found = []
    for pattern in patterns:
        if pattern.startswith(("net_", "multi_")) and not network:
            continue
        found += sorted(p.relative_to(tests_dir).as_posix() for p in tests_dir.glob(pattern))
    return found


def _outcomes(output):
    """{test: 'pass'|'skip'|'fail'} from run-tests/run-multitests output."""
    found = {name: verdict.lower() for verdict, name in RESULT_LINE.findall(output)}
    found.update((name, verdict.lower()) for name, verdict in MULTI_LINE.findall(output))
    return found


def _failure_diff(result_dir, test, lines=40):
    """What a failed test was expected to print against what it printed, as a
    short unified diff (run-tests.py leaves <test>.exp and <test>.out)."""
    stem = result_dir / test.replace("/", "_")
    try:
        exp = stem.with_name(stem.name + ".exp").read_text(errors="replace").splitlines()
        out = stem.with_name(stem.name + ".out").read_text(errors="replace").splitlines()
    except OSError:
        return "  (no .exp/.out left by run-tests.py)"
    diff = list(difflib.unified_diff(exp, out, "expected", "printed", lineterm="", n=1))
    more = len(diff) - lines
    return "\n".join("  " + d for d in diff[:lines]) + (
        f"\n  ... {more} more lines" if more > 0 else ""
    )


def _recorded(result_dir, tests, output):
    """{test: outcome} from the _results.json run-tests.py writes at the end
    of a run: every outcome (MicroPython 1.26+), or the failed tests (up to
    1.25, whose skipped ones its summary names and the rest passed). None
    when there is no such file or it does not account for every test."""
    try:
        data = json.loads((result_dir / "_results.json").read_text())
    except (OSError, ValueError):
        return None
    if "results" in data:
        found = {r[0]: r[1] for r in data["results"] if r[1] in ("pass", "skip", "fail")}
    else:
        skipped = re.search(r"^\d+ tests skipped: (.*)$", output, re.M)
        skipped = set(skipped.group(1).split()) if skipped else set()
        failed = set(data.get("failed_tests", ()))
        found = {
            t: "fail"
            if t in failed
            else "skip"
            if t.rsplit("/", 1)[-1][:-3] in skipped
            else "pass"
            for t in tests
        }
        passed = re.search(r"^(\d+) tests passed$", output, re.M)
        if passed is None or int(passed.group(1)) != sum(1 for v in found.values() if v == "pass"):
            return None
    return found if all(t in found for t in tests) else None


def _run_single(cmd_head, tests, tests_dir, env, result_dir, jobs=None):
    # Verdicts come from the results file: run-tests.py's "pass <test>" lines
    # come from parallel threads and can run into each other (a fresh CI run
    # once lost two that way), so the lines are only the fallback.
    (result_dir / "_results.json").unlink(missing_ok=True)
    cmd = [*cmd_head, "-r", str(result_dir), *(["-j", str(jobs)] if jobs else []), *tests]
    done = subprocess.run(cmd, cwd=tests_dir, env=env, capture_output=True, text=True)
    found = _recorded(result_dir, tests, done.stdout) or _outcomes(done.stdout)
    if not found:
        raise FirmwareError(f"run-tests.py ran nothing:\n{done.stdout[-800:]}{done.stderr[-800:]}")
    return found


def run_set(board, folder, tests_dir, result_dir, log=print):
    """Run the asyncio tests against one image; return {test: outcome}.

    A test that fails when run among others is run once more on its own; if
    it passes then, its outcome is "flaky", and what it printed the first
    time is logged, so the log says what went wrong either way."""
    # Tests without a .exp file are compared with CPython's output: take this
    # interpreter (known version, no shim on PATH), not whatever python3 is.
    env = {**os.environ, "MICROPYPATH": "", "MICROPY_CPYTHON3": sys.executable}
    native = board.runs_here == "native"
    if native:
        binary = folder / "micropython"
        if not binary.is_file():
            raise ImageMissing(
                f"{binary} does not exist", hint=f"make firmware BOARD={board.name}"
            )
        env["MICROPY_MICROPYTHON"] = str(binary)
        target = []
    else:
        elf = folder / "firmware.elf"
        if not elf.is_file():
            raise ImageMissing(f"{elf} does not exist", hint=f"make firmware BOARD={board.name}")
        target = ["-t", "execpty:" + " ".join(qemu_command(board, elf))]
    outcomes = {}
    single = _tests(tests_dir, SINGLE, network=native)
    if single:
        head = [sys.executable, "run-tests.py", *target]
        outcomes.update(_run_single(head, single, tests_dir, env, result_dir))
        failed = [
            t for t in single if outcomes.get(t, "fail") == "fail" and t not in BEYOND_UPSTREAM
        ]
        if failed:
            for t in failed:
                log(
                    f"{t} failed on {folder.name}; run alone again. What it printed:\n"
                    + _failure_diff(result_dir, t)
                )
            again = _run_single(head, failed, tests_dir, env, result_dir / "rerun", jobs=1)
            for t in failed:
                if again.get(t) == "pass":
                    outcomes[t] = "flaky"
    multi = _tests(tests_dir, MULTI, network=native)
    if multi:
        flag, unix = _instance_args(tests_dir)
        cmd = [sys.executable, "run-multitests.py", flag, unix, flag, unix, *multi]
        done = subprocess.run(cmd, cwd=tests_dir, env=env, capture_output=True, text=True)
        found = _outcomes(done.stdout)
        if not found:
            raise FirmwareError(
                f"run-multitests.py ran nothing:\n{done.stdout[-800:]}{done.stderr[-800:]}"
            )
        outcomes.update(found)
        result_dir.mkdir(parents=True, exist_ok=True)
        (result_dir / "multitests.log").write_text(done.stdout + done.stderr)
    # A test that printed no verdict (the harness died, a timeout it does not
    # report) is a failure, not a smaller total.
    for test in single + multi:
        outcomes.setdefault(test, "fail")
    return outcomes


def _instance_args(tests_dir):
    """How run-multitests.py names a unix instance: `-i micropython` up to 1.25,
    `-t unix` in later releases."""
    usage = subprocess.run(
        [sys.executable, "run-multitests.py", "--help"],
        cwd=tests_dir,
        capture_output=True,
        text=True,
    ).stdout
    return ("-i", "micropython") if "-i INSTANCE" in usage else ("-t", "unix")


def _summary(outcomes):
    on_purpose = sum(1 for t, v in outcomes.items() if v == "fail" and t in BEYOND_UPSTREAM)
    counts = {
        k: sum(1 for v in outcomes.values() if v == k) for k in ("pass", "skip", "fail", "flaky")
    }
    text = (
        f"{counts['pass']} passed, {counts['fail'] - on_purpose} failed, {counts['skip']} skipped"
    )
    if counts["flaky"]:
        text += f", {counts['flaky']} passed only when run alone"
    return text + (f", {on_purpose} differ on purpose" if on_purpose else "")


def main(board_name, asyncio_c=True, tests_from=None, log=print):
    board = boards.get(board_name)
    tree = Path(tests_from).resolve() if tests_from else source.resolve(fetch=False).path
    tests_dir = tree / "tests"
    if not (tests_dir / "run-tests.py").is_file():
        raise FirmwareError(
            f"{tests_dir} has no run-tests.py", hint="--tests-from must name a MicroPython tree"
        )
    # One folder per image, so each run's .exp/.out files survive the next run's.
    results = BUILD_DIR / "upstream-tests" / image_dir(board, asyncio_c).name
    ours = run_set(board, image_dir(board, asyncio_c), tests_dir, results / "ours", log)
    label = f"{board.name}{'' if asyncio_c else ' (pure Python)'} with tests from {tree}"
    log(f"ours  {label}: {_summary(ours)}")
    stock_board = boards.stock_baseline(board)
    stock = None
    if stock_board and (image_dir(stock_board) / "manifest.json").is_file():
        stock = run_set(stock_board, image_dir(stock_board), tests_dir, results / "stock", log)
        log(f"stock {stock_board.name}: {_summary(stock)}")
    failed = sorted(t for t, v in ours.items() if v == "fail" and t not in BEYOND_UPSTREAM)
    for t, why in BEYOND_UPSTREAM.items():
        if ours.get(t) == "fail":
            log(f"differs on purpose: {t}: {why}")
    if stock is not None:
        regressions = [t for t in failed if stock.get(t) in ("pass", "flaky")]
        fixed = sorted(t for t, v in ours.items() if v == "pass" and stock.get(t) == "fail")
        if fixed:
            log("pass on ours, fail on stock: " + " ".join(fixed))
        also_stock = [t for t in failed if t not in regressions]
        if also_stock:
            log("fail on both (not ours to fix): " + " ".join(also_stock))
        failed = regressions
    flaky = sorted(t for t, v in ours.items() if v == "flaky")
    if flaky:
        log("passed on ours only when run alone (first output above): " + " ".join(flaky))
    if failed:
        log("FAILED on ours: " + " ".join(failed))
        log(f"details: {results / 'ours'} (.exp/.out per failed test)")
        return 1
    return 0

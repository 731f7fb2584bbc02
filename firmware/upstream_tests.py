"""MicroPython's own asyncio tests, unmodified, against our images and stock ones.

The tests come from a MicroPython tree's tests/ folder (by default the tree the images
were built from) and run through that tree's own run-tests.py / run-multitests.py.
The verdict: every test that passes on the stock image of the same MicroPython must
pass on ours; without a stock image, every test must pass or skip.
"""

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
    "extmod/asyncio_gather_notimpl.py": "a task can be awaited and gathered at once (upstream raises "
    "\"can't wait\"/\"can't gather\"; CPython allows it)",
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


def run_set(board, folder, tests_dir, result_dir, log=print):
    """Run the asyncio tests against one image; return {test: outcome}."""
    env = {**os.environ, "MICROPYPATH": ""}
    native = board.runs_here == "native"
    if native:
        binary = folder / "micropython"
        if not binary.is_file():
            raise ImageMissing(f"{binary} does not exist", hint=f"make firmware BOARD={board.name}")
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
        cmd = [sys.executable, "run-tests.py", *target, "-r", str(result_dir), *single]
        done = subprocess.run(cmd, cwd=tests_dir, env=env, capture_output=True, text=True)
        outcomes.update(_outcomes(done.stdout))
        if not outcomes:
            raise FirmwareError(f"run-tests.py ran nothing:\n{done.stdout[-800:]}{done.stderr[-800:]}")
    multi = _tests(tests_dir, MULTI, network=native)
    if multi:
        flag, unix = _instance_args(tests_dir)
        cmd = [sys.executable, "run-multitests.py", flag, unix, flag, unix, *multi]
        done = subprocess.run(cmd, cwd=tests_dir, env=env, capture_output=True, text=True)
        found = _outcomes(done.stdout)
        if not found:
            raise FirmwareError(f"run-multitests.py ran nothing:\n{done.stdout[-800:]}{done.stderr[-800:]}")
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
        [sys.executable, "run-multitests.py", "--help"], cwd=tests_dir, capture_output=True, text=True
    ).stdout
    return ("-i", "micropython") if "-i INSTANCE" in usage else ("-t", "unix")


def _summary(outcomes):
    on_purpose = sum(1 for t, v in outcomes.items() if v == "fail" and t in BEYOND_UPSTREAM)
    counts = {k: sum(1 for v in outcomes.values() if v == k) for k in ("pass", "skip", "fail")}
    text = f"{counts['pass']} passed, {counts['fail'] - on_purpose} failed, {counts['skip']} skipped"
    return text + (f", {on_purpose} differ on purpose" if on_purpose else "")


def main(board_name, asyncio_c=True, tests_from=None, log=print):
    board = boards.get(board_name)
    tree = Path(tests_from).resolve() if tests_from else source.resolve(fetch=False).path
    tests_dir = tree / "tests"
    if not (tests_dir / "run-tests.py").is_file():
        raise FirmwareError(f"{tests_dir} has no run-tests.py", hint="--tests-from must name a MicroPython tree")
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
        regressions = [t for t in failed if stock.get(t) == "pass"]
        fixed = sorted(t for t, v in ours.items() if v == "pass" and stock.get(t) == "fail")
        if fixed:
            log("pass on ours, fail on stock: " + " ".join(fixed))
        also_stock = [t for t in failed if t not in regressions]
        if also_stock:
            log("fail on both (not ours to fix): " + " ".join(also_stock))
        failed = regressions
    if failed:
        log("FAILED on ours: " + " ".join(failed))
        log(f"details: {results / 'ours'} (.exp/.out per failed test)")
        return 1
    return 0

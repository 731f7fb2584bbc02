"""Command line: `python3 -m tests_hw.runner [options] [TEST_OR_DIR ...]`."""

import argparse
import sys
import time

from . import errors, suite
from .engine import Engine, MODES
from .progress import Progress
from .results import BAD, DEFAULT_LEAK_THRESHOLD, summary, write_json
from .targets import PROJECT, make_targets

DEFAULT_SUITE = PROJECT / "tests_hw" / "suite"


def add_target_arguments(add):
    """The options the CLI and the pytest plugin share (add = parser.add_argument or addoption)."""
    add(
        "--board",
        action="append",
        default=[],
        metavar="NAME[=IMAGE]",
        help="emulated board started here (QEMU_MPS2_AN385, UNIX); repeat for several",
    )
    add(
        "--port",
        action="append",
        default=[],
        metavar="PORT",
        help="device: /dev/ttyACM0, COM3, rfc2217://host:port, socket://host:port, "
        "id:<USB serial>; repeat for several",
    )
    add(
        "--mode",
        choices=MODES,
        default="split",
        help="several boards: share the suite out (split) or run all of it on each",
    )
    add(
        "--test-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="default per-test timeout (a '# timeout: N' header overrides)",
    )
    add(
        "--max-device-failures",
        type=int,
        default=3,
        metavar="N",
        help="give up on a board after N consecutive device failures",
    )
    add(
        "--leak-threshold",
        type=int,
        default=DEFAULT_LEAK_THRESHOLD,
        metavar="BYTES",
        help="flag a test that keeps more heap than this",
    )
    add(
        "--micropypath",
        metavar="DIRS",
        help="MICROPYPATH for the UNIX board's image "
        "(e.g. to give a bare image a pure-Python asyncio)",
    )


def runner_options(ns):
    return {
        "timeout": ns.test_timeout,
        "max_device_failures": ns.max_device_failures,
        "leak_threshold": ns.leak_threshold,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m tests_hw.runner",
        description="Run MicroPython device tests on boards over serial.",
    )
    parser.add_argument(
        "tests",
        nargs="*",
        help=f"test files or directories (default: {DEFAULT_SUITE.relative_to(PROJECT)})",
    )
    add_target_arguments(parser.add_argument)
    parser.add_argument("--json", metavar="FILE", help="write results as JSON")
    parser.add_argument(
        "-k", dest="keyword", metavar="TEXT", help="only tests whose name contains TEXT"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print diffs and output of failing tests"
    )
    args = parser.parse_args(argv)
    started = time.time()
    try:
        tests = suite.discover(args.tests or [DEFAULT_SUITE])
        if args.keyword:
            tests = [t for t in tests if args.keyword in t.name]
        if not tests:
            raise errors.UsageError("no tests selected")
        targets = make_targets(args.board, args.port, micropypath=args.micropypath)
        progress = Progress(len(tests) * (len(targets) if args.mode == "each" else 1))
        engine = Engine(
            targets,
            tests,
            mode=args.mode,
            on_result=progress.result,
            on_start=progress.start,
            **runner_options(args),
        )
        results = engine.run()
        progress.finish()
    except errors.FirmwareError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    if args.verbose:
        for r in results:
            if r.status in BAD:
                print(f"--- {r.board} {r.test}: {r.status}: {r.message}")
                print(r.diff or r.output)
    if args.json:
        write_json(args.json, results, engine.boards(), started, args.mode)
    counts = summary(results)
    print(
        " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        + f"  ({time.time() - started:.1f}s)"
    )
    for label, problem in engine.board_errors.items():
        print(f"board {label}: {problem}", file=sys.stderr)
    return 1 if any(r.status in BAD for r in results) else 0

"""Command line: `python3 -m tests_hw.runner [options] [TEST_OR_DIR ...]`."""

import argparse
import os
import sys
import time

from firmware.paths import IMAGES_DIR

from . import errors, suite
from .engine import Engine, MODES
from .flashing import flash_all
from .junit import write_junit
from .progress import Progress
from .reruns import DEFAULT_LIST as DEFAULT_KNOWN_FLAKY
from .reruns import Reruns, read_known
from .results import BAD, DEFAULT_LEAK_THRESHOLD, summary, write_json
from .targets import PROJECT, make_targets
from .trace import Trace

DEFAULT_SUITE = PROJECT / "tests_hw" / "suite"


def add_target_arguments(add, in_pytest=False):
    """The options the CLI and the pytest plugin share (add = parser.add_argument or addoption).
    pytest has a --trace of its own (the debugger): there ours is --device-trace."""
    add(
        "--board",
        action="append",
        default=[],
        metavar="NAME[=IMAGE]",
        help="emulated board started here (QEMU_MPS2_AN385, UNIX), or labgrid:PLACE, a place of a "
        "labgrid farm (acquired for the run); repeat for several",
    )
    if (
        not in_pytest
    ):  # under pytest, labgrid's own plugin has --lg-env (and LG_ENV); ours reads it
        add(
            "--lg-env",
            default=os.environ.get("LG_ENV"),
            metavar="ENV.yaml",
            help="a labgrid environment file: the RemotePlace of each target is a board "
            "(default: $LG_ENV)",
        )
    add(
        "--coordinator",
        metavar="HOST:PORT",
        help="labgrid coordinator for labgrid:PLACE boards "
        "(default: $LG_COORDINATOR, else 127.0.0.1:20408)",
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
        "--flash",
        nargs="?",
        const="",
        default=None,
        metavar="BOARD",
        help="first put the built image on each board (a port: flash firmware/images/BOARD/ with "
        "firmware.deploy; an emulated board: boot its image), "
        "then check it answers with that build",
    )
    add(
        "--images-dir",
        default=str(IMAGES_DIR),
        metavar="DIR",
        help="where --flash finds board folders",
    )
    add(
        "--device-trace" if in_pytest else "--trace",
        dest="device_trace",
        action="store_true",
        help="show what the board prints while each test runs, as it comes",
    )
    add(
        "--rerun-failed",
        type=int,
        default=0,
        metavar="N",
        help="run a failing test file again, up to N times; "
        "one that then passes is reported as flaky",
    )
    add(
        "--known-flaky",
        default=str(DEFAULT_KNOWN_FLAKY),
        metavar="FILE",
        help="files known to be flaky, `test_x.py: why` a line "
        "(reruns even without --rerun-failed)",
    )
    add(
        "--micropypath",
        metavar="DIRS",
        help="MICROPYPATH for the UNIX board's image "
        "(e.g. to give a bare image a pure-Python asyncio)",
    )


def runner_options(ns):
    """Engine options from parsed options (raises UsageError on a bad known-flaky list)."""
    return {
        "timeout": ns.test_timeout,
        "max_device_failures": ns.max_device_failures,
        "leak_threshold": ns.leak_threshold,
        "trace": Trace() if ns.device_trace else None,
        "reruns": Reruns(ns.rerun_failed, read_known(ns.known_flaky)),
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
        "--junit", metavar="FILE", help="write results as JUnit XML (flaky files marked)"
    )
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
        options = runner_options(args)
        targets = make_targets(
            args.board,
            args.port,
            micropypath=args.micropypath,
            coordinator=args.coordinator,
            lg_env=args.lg_env,
        )
        engine = None
    except errors.FirmwareError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        if args.flash is not None:
            flash_all(
                targets,
                args.flash,
                images_dir=args.images_dir,
                out=lambda line: print(line, file=sys.stderr),
            )
        progress = Progress(len(tests) * (len(targets) if args.mode == "each" else 1))
        engine = Engine(
            targets,
            tests,
            mode=args.mode,
            on_result=progress.result,
            on_start=progress.start,
            **options,
        )
        results = engine.run()
        progress.finish()
    except errors.FirmwareError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        if engine is None:  # the engine closes its boards; before it, they are closed here
            for target in targets:
                target.close()
    if args.verbose:
        for r in results:
            if r.status in BAD:
                print(f"--- {r.board} {r.test}: {r.status}: {r.message}")
                print(r.diff or r.output)
    if args.json:
        write_json(args.json, results, engine.boards(), started, args.mode)
    if args.junit:
        write_junit(args.junit, results, started)
    counts = summary(results)
    print(
        " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        + f"  ({time.time() - started:.1f}s)"
    )
    for label, problem in engine.board_errors.items():
        print(f"board {label}: {problem}", file=sys.stderr)
    return 1 if any(r.status in BAD for r in results) else 0

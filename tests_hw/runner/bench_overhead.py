"""Per-test overhead of the runner vs `mpremote run`, on one board.

    python3 -m tests_hw.runner.bench_overhead --board UNIX [--board QEMU_MPS2_AN385] [-n 20]

A trivial test file is run n times (a) through the runner's kept-open session
(soft reset + heap probes + exec, i.e. everything a test costs) and (b) with
`mpremote connect PORT run FILE` (a new process and port open each time).
Prints seconds per test. Not a timed test: numbers depend on the machine.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .board import BoardRunner
from .suite import load
from .targets import make_targets

TRIVIAL = "print('hello')\n"


def bench_runner(target, test, n, measure_heap):
    runner = BoardRunner(target, measure_heap=measure_heap)
    runner.connect()
    try:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            result = runner.run(test)
            times.append(time.perf_counter() - start)
            assert result.status == "pass", result
        return times
    finally:
        runner.close()


def bench_mpremote(target, path, n):
    target.open().close()  # starts the emulator; its pty stays for mpremote
    port = target.pty
    try:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "mpremote", "connect", port, "run", str(path)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            times.append(time.perf_counter() - start)
            assert "hello" in proc.stdout, proc.stdout + proc.stderr
        return times
    finally:
        target.close()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m tests_hw.runner.bench_overhead", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--board", action="append", required=True, metavar="NAME[=IMAGE]")
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "test_trivial.py"
        path.write_text(TRIVIAL)
        path.with_name("test_trivial.py.exp").write_text("hello\n")
        test = load(path)
        for spec in args.board:
            rows = [
                (
                    "runner (soft reset + heap before/after)",
                    bench_runner(make_targets([spec])[0], test, args.n, True),
                ),
                (
                    "runner (soft reset, no heap probes)",
                    bench_runner(make_targets([spec])[0], test, args.n, False),
                ),
                (
                    "mpremote connect PORT run FILE",
                    bench_mpremote(make_targets([spec])[0], path, args.n),
                ),
            ]
            print(f"{spec}: seconds per trivial test, n={args.n}")
            for name, times in rows:
                print(
                    f"  {name:42} median {statistics.median(times):.4f}  "
                    f"min {min(times):.4f}  max {max(times):.4f}"
                )


if __name__ == "__main__":
    main()

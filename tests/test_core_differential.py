"""The two cores do the same thing: seeded random programs
(tests/core_programs.py: tasks sleeping, handing Events, Locks and
ThreadSafeFlags to each other, cancelling and awaiting one another,
wait_for, gather, errors) run on the UNIX image with our C core and on
the one with the pure-Python core; every step they log, with its time on
the test clock, and every task's end must be the same. A few hundred
sequences here; CORE_DIFF_SEQUENCES=5000 (say) for more."""

import difflib
import os
import subprocess

import pytest

from firmware.paths import ROOT as PROJECT
from tests.core_programs import program

IMAGES = ("firmware/images/UNIX/micropython", "firmware/images/UNIX-pyonly/micropython")
SEQUENCES = int(os.environ.get("CORE_DIFF_SEQUENCES", "400"))
PER_RUN = 200  # sequences compiled and run by one process


def _run(image, path):
    run = subprocess.run(
        [str(PROJECT / image), "-X", "heapsize=32M", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and not run.stderr, (
        f"{image}: rc {run.returncode}\n{run.stderr[-3000:]}"
    )
    return run.stdout


@pytest.mark.parametrize("first", range(0, SEQUENCES, PER_RUN))
def test_both_cores_run_random_programs_alike(first, tmp_path):
    for image in IMAGES:
        if not (PROJECT / image).is_file():
            pytest.skip(f"no {image}: run make test-images")
    seeds = range(first, min(first + PER_RUN, SEQUENCES))
    path = tmp_path / "program.py"
    path.write_text(program(seeds))
    c_core, py_core = (_run(image, path) for image in IMAGES)
    assert c_core.count("== seed") == len(seeds), "every sequence ran to its end"
    if c_core != py_core:
        # Name the first sequence that differs, with its diff.
        # (One may have fewer blocks: compare those both have.)
        for block_c, block_py in zip(
            c_core.split("== seed "), py_core.split("== seed "), strict=False
        ):
            if block_c != block_py:
                seed = block_c.split("\n", 1)[0]
                diff = "\n".join(
                    difflib.unified_diff(
                        block_c.splitlines(),
                        block_py.splitlines(),
                        "C core",
                        "Python core",
                        lineterm="",
                    )
                )
                pytest.fail(f"the cores differ on seed {seed} (tests/core_programs.py):\n{diff}")
        pytest.fail("the cores' outputs differ")

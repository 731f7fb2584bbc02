"""Running out of memory never crashes or poisons the loop (issue 15).

tests/programs/memory_exhaustion.py fills the heap and uses the loop at a
sweep of heap sizes, so that the allocation that fails falls at ever other
points of the package and the VM. On both our unix images (C core and
pure-Python core) every run must end normally, every step that completed
must have given its right answer, and afterwards a task parked all along
and a fresh run must work. Before the fixes of issue 15 some heap sizes
crashed (a set left corrupt, sys.modules left holding a module that was
never made), hung (a task lost in the core) or raised from run() ever after.
"""

import re
import subprocess

import pytest

from firmware.paths import ROOT as PROJECT

PROGRAM = PROJECT / "tests/programs/memory_exhaustion.py"
IMAGES = {
    "C core": "firmware/images/UNIX/micropython",
    "pure Python": "firmware/images/UNIX-pyonly/micropython",
}
# From the smallest heap where the pure-Python image still fits the
# workload with room for its retries, to one where most steps never fail.
HEAP_KB = [
    40,
    44,
    48,
    53,
    59,
    64,
    71,
    80,
    96,
    112,
    128,
    160,
    192,
    256,
    320,
    400,
    512,
    640,
    800,
    1024,
]

# What each step may answer: its result, where a child task may have
# failed for want of memory (a MemoryError, with or without its message)
# and a child's ValueError may read without its value (MicroPython's
# static exception object, what it raises when it cannot make one).
CHILD_FAILED = r"(ValueError 3|ValueError |MemoryError.*)"
CHILD_OK = r"(1|MemoryError.*?)"
ANSWERS = [
    CHILD_OK + "," + CHILD_FAILED,
    "timeout",
    "locked",
    "cancelled",
    "2",
    r"raised 7|raised ",
    "6",
]
SANITY = "sanity ('bystander', [0, 1, 't'])"


def _expected(worker, step):
    return ANSWERS[(worker + step) % len(ANSWERS)]


@pytest.mark.parametrize("heap_kb", HEAP_KB)
@pytest.mark.parametrize("core", sorted(IMAGES))
def test_the_loop_survives_a_full_heap(core, heap_kb):
    image = PROJECT / IMAGES[core]
    if not image.is_file():
        pytest.skip(f"no {IMAGES[core]}: run make test-images")
    run = subprocess.run(
        [str(image), "-X", f"heapsize={heap_kb}K", str(PROGRAM)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = (
        f"{core}, {heap_kb} KB heap: rc {run.returncode}\n"
        f"{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    )
    assert run.returncode == 0, said
    lines = run.stdout.splitlines()
    assert lines and lines[-1] == SANITY, said
    workers = [line for line in lines if line.startswith("worker ")]
    assert len(workers) == 3, said
    for w, line in enumerate(workers):
        answers = line.split(": ", 1)[1].split(" | ")
        assert len(answers) == 14, said
        for step, answer in enumerate(answers):
            assert re.fullmatch(_expected(w, step), answer), (
                f"worker {w} step {step}: {answer!r}\n{said}"
            )

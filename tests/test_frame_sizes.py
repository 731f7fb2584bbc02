# The functions run at every scheduler step or stream wait must keep their
# frame on the C stack. MicroPython (py/objfun.c, VM_MAX_STATE_ON_STACK)
# allocates a function's frame on the heap and frees it after the call when
# it needs more than 11 words (n_state, plus 3 per exception handler level):
# an allocation per call, and the holes it leaves make every later
# multi-block allocation scan further until the next GC. A stream echo on
# the pure-Python core got ten times slower over 4,000 round trips that way.
# (Generators are exempt: their frame is allocated once, with them.)
# Read from mpy-cross's output for our sources, with MicroPython's own
# mpy-tool, so a change that grows a hot frame fails here.
import re
import subprocess
import sys

import pytest

from firmware import source
from firmware.paths import ROOT

PACKAGE = ROOT / "frozen" / "asyncio"
MAX_WORDS = 11
SCOPE_GENERATOR = 0x01

# module -> functions (simple names) on the hot paths
HOT = {
    "_kernel": (
        "park",
        "_watch",
        "update",
        "forget",
        "wait",
        "wake_flags",
        "_register",
        "sleep",
    ),
    "_streams": ("write",),
    "_fallback": (
        "run_one",
        "run_ready",
        "pause",
        "resuming",
        "wake",
        "spawn",
        "_ready",
        "_finish",
        "_wake_waiter",
        "_timer_push",
        "_meld",
        "_merge_children",
        "next_due",
        "sleep_ms",
        "io_wait",
        "__next__",
        "io_poll",
        "_on",
    ),
}


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    src = source.resolve(log=lambda *a: None)
    mpy_cross = src.path / "mpy-cross" / "build" / "mpy-cross"
    if not mpy_cross.is_file():
        subprocess.run(
            ["make", "-C", str(src.path / "mpy-cross")], check=True, capture_output=True
        )
    return mpy_cross, src.path / "tools" / "mpy-tool.py", tmp_path_factory.mktemp("mpy")


def frames(tools, py):
    """{simple name: (words, is_generator)} for the functions of a .py file."""
    mpy_cross, mpy_tool, out = tools
    mpy = out / (py.stem + ".mpy")
    subprocess.run([str(mpy_cross), "-O3", "-o", str(mpy), str(py)], check=True)
    dump = subprocess.run(
        [sys.executable, str(mpy_tool), "-d", str(mpy)], check=True, capture_output=True, text=True
    ).stdout
    found = {}
    name = None
    for line in dump.splitlines():
        m = re.match(r"\s*simple_name: (\S+)", line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"\s*prelude: \((\d+), (\d+), (\d+)", line)
        if m and name is not None:
            n_state, n_exc, flags = map(int, m.groups())
            # (a name defined twice keeps its biggest frame)
            words = max(n_state + 3 * n_exc, found.get(name, (0,))[0])
            found[name] = (words, bool(flags & SCOPE_GENERATOR))
            name = None
    return found


@pytest.mark.parametrize("module", sorted(HOT))
def test_hot_functions_keep_their_frame_off_the_heap(tools, module):
    found = frames(tools, PACKAGE / (module + ".py"))
    missing = [f for f in HOT[module] if f not in found]
    assert not missing, f"{module}: no function named {missing} (update HOT)"
    big = {f: found[f][0] for f in HOT[module] if found[f][0] > MAX_WORDS and not found[f][1]}
    assert not big, f"{module}: frames over {MAX_WORDS} words, heap-allocated at every call: {big}"


def test_the_measure_sees_a_big_frame(tools, tmp_path):
    # The check itself: a function with a try, an `as` and a handful of
    # names is over (what run_one() was before it became a generator).
    (tmp_path / "big.py").write_text(
        "def big(a, b, c):\n"
        "    try:\n"
        "        x = (a, b, c)\n"
        "    except Exception as e:\n"
        "        x = e\n"
        "    return x\n"
        "def small(a):\n"
        "    return a + 1\n"
        "def gen(a, b, c):\n"
        "    try:\n"
        "        yield (a, b, c)\n"
        "    except Exception as e:\n"
        "        yield e\n"
    )
    found = frames(tools, tmp_path / "big.py")
    assert found["big"][0] > MAX_WORDS and not found["big"][1]
    assert found["small"][0] <= MAX_WORDS
    assert found["gen"][1], "a generator is told apart"

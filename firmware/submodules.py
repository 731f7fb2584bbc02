"""Which of MicroPython's lib/ submodules a board's build needs, read from the port itself.

Make ports (unix, qemu, stm32): make parses the port's Makefile as our build calls it (our
board folder, our variables) and prints the objects it would link; the submodules are the
lib/<name> folders those come from. No compiler runs and nothing is written.
CMake ports (rp2, esp32) cannot be configured without their SDK, so for them it is what
the port asks `make submodules` for whatever the board: its Makefile's and its
CMakeLists.txt's GIT_SUBMODULES outside any if().
"""

import re
import subprocess
import tempfile
from pathlib import Path

from . import build
from .errors import FirmwareError

CMAKE_PORTS = ("rp2", "esp32")
_GOAL = "asyncio-linked-objects"
_MARK = "linked-objects:"


def tree_submodules(tree):
    """The lib/ submodule paths the tree's .gitmodules names."""
    gitmodules = Path(tree) / ".gitmodules"
    if not gitmodules.is_file():
        raise FirmwareError(f"{tree} has no .gitmodules: cannot tell its submodules")
    return set(re.findall(r"^\s*path\s*=\s*(\S+)", gitmodules.read_text(), re.M))


def needed(board, src, make_vars=()):
    """The submodules `board`'s build from `src` needs (a set of "lib/x"); make_vars are
    extra NAME=VALUE settings, e.g. what the build passes when optional ones are absent."""
    if board.port in CMAKE_PORTS:
        return _cmake_port_submodules(src.path / "ports" / board.port) & tree_submodules(src.path)
    return _linked(board, src, make_vars)


def _linked(board, src, make_vars):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        board_dir = build._assemble_board_dir(board, src, tmp / "board" / board.upstream_board)
        cmd = build._port_command(
            board,
            src,
            board_dir,
            tmp / "obj",
            asyncio_c=True,
            mpy_lib=src.path / "lib" / "micropython-lib",
            bare=False,
        )
        # A goal of our own, read after the port's Makefile: prints OBJ, builds nothing.
        cmd += [*make_vars, "--eval", f"{_GOAL}: ; $(info {_MARK} $(OBJ))", _GOAL]
        done = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(_MARK)]
    if done.returncode or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FirmwareError(f"{board.name}: make could not list the objects it links: {last}")
    found = {f"lib/{m}" for m in re.findall(r"/lib/([^/\s]+)/", lines[-1])}
    return found & tree_submodules(src.path)


def _cmake_port_submodules(port_dir):
    found = set()
    makefile = port_dir / "Makefile"
    if makefile.is_file():
        for value in re.findall(r'GIT_SUBMODULES="([^"]*)"', makefile.read_text()):
            found.update(value.split())
    cmakelists = port_dir / "CMakeLists.txt"
    depth = 0
    for line in cmakelists.read_text().splitlines() if cmakelists.is_file() else []:
        code = line.split("#")[0].strip()
        if re.match(r"(if|foreach|while|function|macro)\s*\(", code, re.I):
            depth += 1
        elif re.match(r"end(if|foreach|while|function|macro)\s*\(", code, re.I):
            depth -= 1
        elif depth == 0:
            m = re.match(r"list\s*\(\s*APPEND\s+GIT_SUBMODULES\s+([^)]*)\)", code, re.I)
            if m:
                found.update(m.group(1).split())
    return found

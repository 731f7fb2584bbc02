"""The variables the build gives a port's make reach no make started under it. They did:
make hands command-line variables to every sub-make, and the mpy-cross make that the
esp32 port's cmake starts took our BUILD and wrote into the board's build folder
(`assert mod_defs`). A fake port here starts a sub-make both ways a real one can (make's
own $(MAKE), and a make run by another program, as cmake/ninja do) and records what
each sees."""

import pytest

from firmware.boards import Board
from firmware.build import _mpy_cross_command, _port_command, _run_logged
from firmware.source import Source

PORTS = ("unix", "qemu", "stm32", "rp2", "esp32")

PORT_MAKEFILE = """\
BUILD ?= build-port-default
all:
\t@echo "port BUILD=$(BUILD)" >> "$$RECORD"
\t@$(MAKE) --no-print-directory -C ../../mpy-cross
\t@sh -c 'make --no-print-directory -C ../../mpy-cross'
"""
# Stands in for mpy-cross: its own build folder, and no user C modules (py.mk would compile them).
SUB_MAKEFILE = (
    "BUILD ?= build\n"
    "all:\n"
    '\t@echo "sub BUILD=$(BUILD) USER_C_MODULES=$(USER_C_MODULES) '
    'FROZEN_MANIFEST=$(FROZEN_MANIFEST)" >> "$$RECORD"\n'
)


@pytest.fixture
def fake_tree(tmp_path):
    tree = tmp_path / "micropython"
    for port in PORTS:
        (tree / "ports" / port).mkdir(parents=True)
        (tree / "ports" / port / "Makefile").write_text(PORT_MAKEFILE)
    (tree / "mpy-cross").mkdir()
    (tree / "mpy-cross" / "Makefile").write_text(SUB_MAKEFILE)
    return Source(tree, "1.28.0", "test")


def _records(path):
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.parametrize("port", PORTS)
@pytest.mark.parametrize("caller_make", ["", " -- BUILD=/caller/build FROZEN_MANIFEST=/caller.py"])
def test_sub_makes_see_none_of_the_ports_variables(tmp_path, fake_tree, port, caller_make):
    # caller_make: the tool run from a make (our Makefile) that had variables on its own
    # command line
    board = Board(name="FAKE", folder=tmp_path, port=port, upstream_board="FAKE")
    obj = tmp_path / "obj"
    record = tmp_path / "record.txt"
    env = {
        "PATH": "/usr/bin:/bin",
        "RECORD": str(record),
        "MAKEFLAGS": caller_make,
        "MAKELEVEL": "1",
    }
    cmd = _port_command(
        board,
        fake_tree,
        tmp_path / "board",
        obj,
        asyncio_c=True,
        mpy_lib=tmp_path / "lib",
        bare=False,
    )
    _run_logged(cmd, tmp_path / "build.log", env, "make")
    assert _records(record) == [
        f"port BUILD={obj}",
        "sub BUILD=build USER_C_MODULES= FROZEN_MANIFEST=",
        "sub BUILD=build USER_C_MODULES= FROZEN_MANIFEST=",
    ], (tmp_path / "build.log").read_text()


def test_mpy_cross_step_ignores_a_calling_makes_variables(tmp_path, fake_tree):
    record = tmp_path / "record.txt"
    env = {"PATH": "/usr/bin:/bin", "RECORD": str(record), "MAKEFLAGS": " -- BUILD=/caller/build"}
    _run_logged(_mpy_cross_command(fake_tree), tmp_path / "build.log", env, "mpy-cross")
    assert _records(record) == ["sub BUILD=build USER_C_MODULES= FROZEN_MANIFEST="]

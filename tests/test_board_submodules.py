"""Each board's board.json lists the lib/ submodules its port's build needs: the build checks
that list before it starts, so a missing entry fails deep in make instead (PYBV11 lacked
lib/tinyusb, which stm32 links from MicroPython 1.26 on). Read from the port itself
(firmware/submodules.py) in the pinned source here and, where a MicroPython mirror is at
hand, in the pinned release's tree from it."""

import os
import subprocess
from pathlib import Path

import pytest

from firmware import boards, source, submodules
from firmware.errors import FirmwareError
from firmware.source import Source

# A git clone of MicroPython (or a bare mirror) holding the pinned release tag, where one is
# at hand.
MPY_GIT = os.environ.get("MPY_GIT")
# All a port's Makefile/CMakeLists read while parsing; submodules are never in a git archive.
TREE_PARTS = [
    ".gitmodules",
    "py",
    "extmod",
    "shared",
    "drivers",
    "lib",
    "mpy-cross",
    "tools",
    "ports",
]
# Frozen Python packages, not linked code: boards list it when their manifest needs it.
NOT_LINKED = {"lib/micropython-lib"}


def _trees():
    found = []
    try:
        here = source.resolve(fetch=False, log=lambda _: None)
        found.append(pytest.param(here, id=f"{here.version}-here"))
    except FirmwareError:
        pass
    if MPY_GIT and Path(MPY_GIT).is_dir():
        found.append(pytest.param(source.GIT_TAG, id=f"{source.GIT_TAG.lstrip('v')}-mirror"))
    return found or [
        pytest.param(None, marks=pytest.mark.skip(reason="no MicroPython source: make source"))
    ]


@pytest.fixture(scope="module")
def mirror_tree(tmp_path_factory):
    tree = tmp_path_factory.mktemp("mpy")
    archive = subprocess.run(
        ["git", "-C", MPY_GIT, "archive", source.GIT_TAG, *TREE_PARTS],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return Source(tree, source.read_version(tree), f"{MPY_GIT} {source.GIT_TAG}")


@pytest.fixture(params=_trees())
def tree(request):
    if isinstance(request.param, str):
        return request.getfixturevalue("mirror_tree")
    return request.param


def _version(tree):
    return tuple(int(part) for part in tree.version.split("."))


@pytest.mark.parametrize("board", boards.all_boards().values(), ids=lambda b: b.name)
def test_board_lists_what_its_port_needs(tree, board):
    listed = set(board.submodules)
    optional = set(board.optional_submodules)
    need = submodules.needed(board, tree)
    assert need - NOT_LINKED <= listed | optional, (
        f"{board.name} on {tree.version}: also needs {sorted(need - listed - optional)}"
    )
    # Built without the optional ones (the build passes these settings then), it needs none of
    # them.
    settings = [s for rel in optional for s in board.optional_submodules[rel].split()]
    without = submodules.needed(board, tree, settings) if optional else need
    assert without <= listed, (
        f"{board.name}: {board.optional_submodules} still needs {sorted(without - listed)}"
    )
    if tree.version == source.GIT_TAG.lstrip("v") and board.port not in submodules.CMAKE_PORTS:
        # The pinned release is read exactly: nothing listed that it does not link.
        assert listed - NOT_LINKED == need - optional, (
            f"{board.name} lists {sorted(listed - NOT_LINKED - need)} it does not link"
        )


def test_the_reading_sees_what_stm32_links(tree):
    need = submodules.needed(boards.get("PYBV11"), tree)
    assert "lib/stm32lib" in need
    if _version(tree) >= (1, 26):
        assert "lib/tinyusb" in need  # what the list lacked


def test_a_list_without_tinyusb_is_caught(tree, tmp_path):
    if _version(tree) < (1, 26):
        pytest.skip(f"stm32 links TinyUSB from MicroPython 1.26 on; this tree is {tree.version}")
    pyb = boards.get("PYBV11")
    old = boards.Board(**{**pyb.__dict__, "submodules": ("lib/stm32lib",)})
    assert submodules.needed(old, tree) - set(old.submodules) == {"lib/tinyusb"}


def test_a_port_that_cannot_be_read_is_one_line(tree, tmp_path):
    broken = boards.Board(
        name="BROKEN", folder=tmp_path, port="stm32", upstream_board="NO_SUCH_BOARD"
    )
    with pytest.raises(
        FirmwareError, match="^BROKEN: make could not list the objects it links: "
    ) as e:
        submodules.needed(broken, tree)
    assert "\n" not in str(e.value)

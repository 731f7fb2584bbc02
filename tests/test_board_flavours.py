"""`python3 -m firmware boards`: which flavours of a board are built, from the image folders."""

from firmware import boards
from firmware.build import built_flavours


def _image(root, folder, finished=True):
    (root / folder).mkdir()
    if finished:
        (root / folder / "manifest.json").write_text("{}")


def test_default_first_then_each_flavour_folder(tmp_path):
    for folder in ("QEMU_MPS2_AN385-pyonly", "QEMU_MPS2_AN385", "QEMU_MPS2_AN385-core"):
        _image(tmp_path, folder)
    assert built_flavours(boards.get("QEMU_MPS2_AN385"), tmp_path) == ["default", "core", "pyonly"]


def test_unfinished_folders_and_other_boards_do_not_count(tmp_path):
    _image(tmp_path, "QEMU_MPS2_AN385", finished=False)  # a failed build leaves no manifest.json
    _image(tmp_path, "QEMU_MPS2_AN385_STOCK")  # another board sharing the name's start
    _image(tmp_path, "QEMU_MPS2_AN385-pyonly")
    assert built_flavours(boards.get("QEMU_MPS2_AN385"), tmp_path) == ["pyonly"]
    assert built_flavours(boards.get("QEMU_MPS2_AN385_STOCK"), tmp_path) == ["default"]
    assert built_flavours(boards.get("UNIX"), tmp_path / "absent") == []

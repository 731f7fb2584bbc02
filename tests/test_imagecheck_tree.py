"""check_images over a firmware/images tree: manifests, per-port files, and the real images
here."""

import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from firmware import imagecheck
from firmware.imagecheck import dfuse, uf2

ROOT = Path(__file__).resolve().parents[1]


def _arm_elf(entry=0x0000_0401):
    """A minimal ELF32 Arm executable header (System V gABI layout)."""
    ident = b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9
    header = ident + struct.pack(
        "<HHIIIIIHHHHHH", 2, 40, 1, entry, 52, 0, 0x5000200, 52, 32, 0, 40, 0, 0
    )
    return header + b"\0" * 64


def _write_board(root, folder_name, port, files, **overrides):
    folder = root / folder_name
    folder.mkdir(parents=True)
    board = folder_name
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = {
        "board": board,
        "port": port,
        "micropython": {"version": "1.25.0", "source": "debian"},
        "asyncio_version": "0.1.0",
        "git_commit": "abc",
        "build_id": "20261122-abc",
        "asyncio_c": True,
        "size": {"text": 1, "data": 2, "bss": 3},
        "frozen_modules": [],
        "files": {
            n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()
        },
    }
    manifest.update(overrides)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture
def tree(tmp_path):
    _write_board(
        tmp_path, "RPI_PICO", "rp2", {"firmware.uf2": uf2.pack_uf2(b"\1" * 1000, 0x10000000)}
    )
    _write_board(
        tmp_path,
        "PYBV11",
        "stm32",
        {"firmware.dfu": dfuse.pack_dfuse([(0x08000000, b"\2" * 600)])},
    )
    _write_board(tmp_path, "QEMU_MPS2_AN385", "qemu", {"firmware.elf": _arm_elf()})
    _write_board(
        tmp_path,
        "UNIX",
        "unix",
        {"micropython": Path(os.path.realpath(sys.executable)).read_bytes()},
    )
    return tmp_path


def test_a_good_tree_passes_one_result_per_file(tree):
    results = imagecheck.check_images(tree, boards_root=None)
    assert [(r.board, r.name) for r in results] == [
        ("PYBV11", "manifest.json"),
        ("PYBV11", "firmware.dfu"),
        ("QEMU_MPS2_AN385", "manifest.json"),
        ("QEMU_MPS2_AN385", "firmware.elf"),
        ("RPI_PICO", "manifest.json"),
        ("RPI_PICO", "firmware.uf2"),
        ("UNIX", "manifest.json"),
        ("UNIX", "micropython"),
    ]
    assert all(r.ok for r in results), [r.line() for r in results if not r.ok]


def test_image_changed_after_the_manifest_is_caught(tree):
    image = tree / "RPI_PICO" / "firmware.uf2"
    image.write_bytes(image.read_bytes()[:-512])
    lines = [r.line() for r in imagecheck.check_images(tree, boards_root=None) if not r.ok]
    assert any("RPI_PICO/manifest.json" in line and "sha256 differs" in line for line in lines)
    assert any(
        "RPI_PICO/firmware.uf2" in line and "numBlocks is 4, file has 3" in line for line in lines
    )


def test_missing_image_and_manifest_are_caught(tree):
    (tree / "PYBV11" / "firmware.dfu").unlink()
    (tree / "UNIX" / "manifest.json").unlink()
    failed = {
        (r.board, r.name): r.problems
        for r in imagecheck.check_images(tree, boards_root=None)
        if not r.ok
    }
    assert failed[("PYBV11", "firmware.dfu")] == ["missing (port stm32 always produces it)"]
    assert failed[("UNIX", "manifest.json")] == ["manifest.json missing"]


def test_wrong_architecture_is_caught(tree):
    arm = _arm_elf()
    _write_board(tree, "UNIX_ARM", "unix", {"micropython": arm})
    entry_outside = _write_board(
        tree, "QEMU_BAD", "qemu", {"firmware.elf": _arm_elf(entry=0x2000_0000)}
    )
    by_board = {
        r.board: r
        for r in imagecheck.check_images(tree, boards_root=None)
        if r.name != "manifest.json"
    }
    assert "built for Arm" in by_board["UNIX_ARM"].problems[0]
    assert "entry 0x20000000 outside" in by_board[entry_outside.name].problems[0]


def test_board_json_flash_region_decides(tree, tmp_path_factory):
    boards = tmp_path_factory.mktemp("boards")
    (boards / "RPI_PICO").mkdir()
    (boards / "RPI_PICO" / "board.json").write_text(
        json.dumps(
            {
                "port": "rp2",
                "upstream_board": "RPI_PICO",
                "flash": {"region": {"start": "0x10000000", "size": 512}},
            }
        )
    )
    pico = [
        r for r in imagecheck.check_images(tree, boards_root=boards) if r.name == "firmware.uf2"
    ][0]
    assert any("outside flash 0x10000000-0x10000200" in p for p in pico.problems)


def test_main_prints_a_line_per_file_and_fails_on_a_bad_image(tree):
    ok = subprocess.run(
        [sys.executable, "-m", "firmware.imagecheck", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (
        ok.returncode == 0
        and ok.stdout.splitlines()[-1] == "imagecheck: 8 files checked, 0 malformed"
    )
    bad = tree / "PYBV11" / "firmware.dfu"
    data = bytearray(bad.read_bytes())
    data[-1] ^= 1
    bad.write_bytes(bytes(data))
    failed = subprocess.run(
        [sys.executable, "-m", "firmware.imagecheck", str(tree)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert failed.returncode == 1
    assert "FAIL PYBV11/firmware.dfu: CRC 0x" in failed.stdout


def test_require_valid_raises_one_firmware_error(tree):
    (tree / "RPI_PICO" / "firmware.uf2").write_bytes(b"junk")
    with pytest.raises(imagecheck.ImageCheckFailed) as info:
        imagecheck.require_valid(tree / "RPI_PICO", boards_root=None)
    assert "rebuild it: make firmware BOARD=RPI_PICO" in str(info.value)


def test_empty_or_absent_images_root_gives_no_results(tmp_path):
    assert imagecheck.check_images(tmp_path / "nothing") == []


def test_the_images_built_here_pass():
    """Whatever `make firmware` left in firmware/images/ must be well formed."""
    results = imagecheck.check_images()
    if not results:
        pytest.skip("no images built yet under firmware/images/ (make firmware BOARD=...)")
    failed = [r.line() for r in results if not r.ok]
    assert failed == []


@pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc not installed"
)
def test_a_real_linked_arm_elf_passes(tmp_path):
    src = tmp_path / "reset.c"
    src.write_text("void Reset_Handler(void) { for (;;) {} }\n")
    elf_path = tmp_path / "firmware.elf"
    subprocess.run(
        [
            "arm-none-eabi-gcc",
            "-mcpu=cortex-m3",
            "-mthumb",
            "-nostdlib",
            "-Wl,-e,Reset_Handler",
            "-Wl,-Ttext=0x400",
            "-o",
            str(elf_path),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    _write_board(
        tmp_path / "images", "QEMU_MPS2_AN385", "qemu", {"firmware.elf": elf_path.read_bytes()}
    )
    results = imagecheck.check_images(tmp_path / "images", boards_root=None)
    assert all(r.ok for r in results), [r.line() for r in results]
    assert results[1].summary.startswith("ELF Arm, entry 0x40")


def test_flavour_folders_belong_to_their_board(tree):
    _write_board(
        tree,
        "RPI_PICO-pyonly",
        "rp2",
        {"firmware.uf2": uf2.pack_uf2(b"\1" * 10, 0x10000000)},
        board="RPI_PICO",
    )
    _write_board(
        tree,
        "PYBV11-noasyncio",
        "stm32",
        {"firmware.dfu": dfuse.pack_dfuse([(0x08000000, b"x")])},
        board="RPI_PICO",
    )
    results = {(r.board, r.name): r for r in imagecheck.check_images(tree, boards_root=None)}
    assert results[("RPI_PICO-pyonly", "manifest.json")].ok
    assert results[("PYBV11-noasyncio", "manifest.json")].problems == [
        "manifest says board 'RPI_PICO', folder is 'PYBV11-noasyncio'"
    ]


def _checker(*args, module="firmware.imagecheck"):
    command = (
        [sys.executable, "-m", module]
        + (["check"] if module == "firmware" else [])
        + [str(a) for a in args]
    )
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("module", ["firmware.imagecheck", "firmware"])
def test_a_folder_that_is_not_there_is_one_clear_error(tmp_path, module):
    absent = _checker(tmp_path / "no_such_images", module=module)
    assert absent.returncode == 2 and absent.stdout == ""
    assert absent.stderr == (
        f"error: {tmp_path / 'no_such_images'}: no such folder "
        "(give a folder of board folders, or one board's)\n"
    )
    (tmp_path / "firmware.uf2").write_bytes(b"x")
    a_file = _checker(tmp_path / "firmware.uf2", module=module)
    assert (
        a_file.returncode == 2
        and a_file.stderr.count("\n") == 1
        and "not a folder" in a_file.stderr
    )


def test_nothing_built_yet_is_no_error(tmp_path, monkeypatch):
    # `make check` before any build: the default folder is not made yet.
    monkeypatch.setattr(imagecheck, "DEFAULT_IMAGES_ROOT", tmp_path / "images")
    assert imagecheck.run() == 0


def test_firmware_check_takes_the_checkers_own_arguments(tree):
    whole = _checker(tree, module="firmware")
    assert whole.returncode == 0 and whole.stdout == _checker(tree).stdout
    assert whole.stdout.splitlines()[-1] == "imagecheck: 8 files checked, 0 malformed"
    one = _checker(tree, "--board", "RPI_PICO", module="firmware")
    assert one.returncode == 0 and one.stdout.splitlines() == [
        "ok   RPI_PICO/manifest.json: asyncio 0.1.0, MicroPython 1.25.0, build 20261122-abc",
        "ok   RPI_PICO/firmware.uf2: 4 blocks, 0x10000000-0x10000400",
        "imagecheck: 2 files checked, 0 malformed",
    ]
    assert (
        "usage: python3 -m firmware check [-h] [--board BOARD] [images_root]"
        in _checker("--help", module="firmware").stdout
    )


def test_one_boards_folder_can_be_given(tree):
    one = _checker(tree / "PYBV11", module="firmware")
    assert one.returncode == 0 and [line.split(":")[0] for line in one.stdout.splitlines()] == [
        "ok   PYBV11/manifest.json",
        "ok   PYBV11/firmware.dfu",
        "imagecheck",
    ]
    assert _checker(tree / "PYBV11", "--board", "UNIX").returncode == 2


def _random(n, seed):
    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize("folder", ["RPI_PICO", "ESP32_GENERIC", "PYBV11", "SOMEONE_ELSES"])
def test_without_a_manifest_random_bytes_still_fail_as_malformed(tmp_path, folder):
    board = tmp_path / folder
    board.mkdir()
    for name in ("firmware.uf2", "firmware.dfu", "firmware.bin", "firmware.hex", "firmware.elf"):
        (board / name).write_bytes(_random(4096, name))
    results = {r.name: r for r in imagecheck.check_images(tmp_path, boards_root=None)}
    assert results.pop("manifest.json").problems == ["manifest.json missing"]
    assert sorted(results) == [
        "firmware.bin",
        "firmware.dfu",
        "firmware.elf",
        "firmware.hex",
        "firmware.uf2",
    ]
    for name, result in results.items():
        assert result.problems and not any("missing" in p for p in result.problems), (
            name,
            result.problems,
        )
    assert "bad start magic" in results["firmware.uf2"].problems[0]
    assert any("expected b'DfuSe'" in p for p in results["firmware.dfu"].problems)


def test_without_a_manifest_a_good_image_passes_and_a_missing_one_is_named(tree):
    (tree / "RPI_PICO" / "manifest.json").unlink()
    (tree / "PYBV11" / "manifest.json").unlink()
    (tree / "PYBV11" / "firmware.dfu").unlink()
    lines = [
        r.line()
        for r in imagecheck.check_images(tree, boards_root=None)
        if r.board in ("RPI_PICO", "PYBV11")
    ]
    assert lines == [
        "FAIL PYBV11/manifest.json: manifest.json missing",
        "FAIL PYBV11/firmware.dfu: missing (port stm32 always produces it)",
        "FAIL RPI_PICO/manifest.json: manifest.json missing",
        "ok   RPI_PICO/firmware.uf2: 4 blocks, 0x10000000-0x10000400",
    ]

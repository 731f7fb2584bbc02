"""Deploy dry runs: every command for every flashable board, with no tools or hardware needed."""

import hashlib
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from firmware import deploy
from firmware.imagecheck import dfuse, esp32, uf2

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = {
    "micropython": {"version": "1.25.0", "source": "test"},
    "asyncio_version": "9.8.7",
    "git_commit": "c0ffee",
    "build_id": "c0ffee-20261122T000000Z",
    "asyncio_c": True,
}


def _esp32_images():
    app = esp32.pack_app_image(
        [
            (0x3F400020, struct.pack("<I", 0xABCD5432).ljust(256, b"\0")),
            (0x40080000, b"\x01" * 64),
        ],
        entry=0x40080000,
    )
    boot = esp32.pack_app_image([(0x40078000, b"\x02" * 64)], entry=0x40078000)
    table = esp32.pack_partition_table([("factory", 0, 0, 0x10000, 0x1F0000)])
    merged = boot.ljust(0x7000, b"\xff") + table
    return {"firmware.bin": merged.ljust(0xF000, b"\xff") + app}


IMAGES = {
    "ESP32_GENERIC": ("esp32", _esp32_images),
    "PYBV11": ("stm32", lambda: {"firmware.dfu": dfuse.pack_dfuse([(0x08000000, b"\3" * 512)])}),
    "RPI_PICO": ("rp2", lambda: {"firmware.uf2": uf2.pack_uf2(b"\4" * 700, 0x10000000)}),
}


@pytest.fixture
def images(tmp_path):
    for board, (port, make) in IMAGES.items():
        folder = tmp_path / board
        folder.mkdir()
        files = make()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        manifest = dict(
            MANIFEST,
            board=board,
            port=port,
            files={
                n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                for n, d in files.items()
            },
        )
        (folder / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def _dry_run(board, images_dir, **kwargs):
    lines = []
    deploy.deploy(board, dry_run=True, images_dir=images_dir, out=lines.append, **kwargs)
    return lines


def test_esp32_dry_run_checks_the_chip_then_writes_at_0x1000(images):
    lines = _dry_run("ESP32_GENERIC", images, port="/dev/ttyUSB0")
    image = images / "ESP32_GENERIC" / "firmware.bin"
    assert "# image check: ok" in lines
    commands = [line for line in lines if line.startswith("$ ")]
    assert commands == [
        "$ esptool --port /dev/ttyUSB0 chip-id",
        f"$ esptool --chip esp32 --port /dev/ttyUSB0 --baud 460800 write-flash 0x1000 {image}",
    ]
    assert lines[-1] == (
        "# raw REPL: expect asyncio.__version__ == '9.8.7', "
        "_buildinfo.build_id == 'c0ffee-20261122T000000Z'"
    )


def test_esp32_erase_and_baud_options(images):
    commands = [
        line
        for line in _dry_run("ESP32_GENERIC", images, port="COM3", erase=True, baud=115200)
        if line[0] == "$"
    ]
    assert commands[1] == "$ esptool --chip esp32 --port COM3 erase-flash"
    assert " --baud 115200 write-flash " in commands[2]


def test_pyboard_dry_run_enters_dfu_then_runs_dfu_util(images):
    lines = _dry_run("PYBV11", images, port="/dev/ttyACM0")
    image = images / "PYBV11" / "firmware.dfu"
    assert lines[2].startswith("# serial /dev/ttyACM0: Ctrl-C, then machine.bootloader()")
    assert [line for line in lines if line[0] == "$"] == [
        f"$ dfu-util --alt 0 --device 0483:df11 --dfuse-address :leave --download {image}"
    ]
    assert (
        "# wait for the board's serial port (f055:9800, f055:9801, f055:9802) to come back"
        in lines
    )


def test_pico_dry_run_shows_the_drive_copy_and_picotool(images, monkeypatch):
    monkeypatch.setattr(deploy.rp2, "mount_points", lambda: [])
    lines = _dry_run("RPI_PICO", images, port="/dev/ttyACM1")
    image = images / "RPI_PICO" / "firmware.uf2"
    assert f"# copy {image} -> the RPI-RP2 drive, when one is mounted; otherwise:" in lines
    assert [line for line in lines if line[0] == "$"] == [f"$ picotool load -x {image} -f"]


def test_dry_run_needs_no_tools(images, monkeypatch, tmp_path):
    monkeypatch.setattr(deploy.commands, "find_tool", lambda name: None)
    for board in IMAGES:
        assert any(line.startswith("$ ") for line in _dry_run(board, images, port="P"))


def test_dry_run_without_images_says_build_it_first(tmp_path):
    lines = _dry_run("PYBV11", tmp_path, port="P")
    assert lines[1] == (
        f"# note: {tmp_path / 'PYBV11' / 'firmware.dfu'} not found: "
        "build it first: make firmware BOARD=PYBV11"
    )


def test_dry_run_reports_a_corrupt_image(images):
    path = images / "RPI_PICO" / "firmware.uf2"
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))
    lines = _dry_run("RPI_PICO", images, port="P")
    assert lines[1].startswith(
        "# image check: FAIL RPI_PICO/manifest.json: firmware.uf2: sha256 differs"
    )


def test_cli_dry_run_for_every_flashable_board(images):
    for board in IMAGES:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "firmware.deploy",
                "--board",
                board,
                "--port",
                "X",
                "--dry-run",
                "--images-dir",
                str(images),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"# dry run: deploy {board}")
        assert "\n$ " in result.stdout


@pytest.mark.parametrize("board, port", [("UNIX", "unix"), ("PYBV11_QEMU", "stm32")])
def test_boards_that_run_here_are_not_flashed(board, port):
    # PYBV11_QEMU is an stm32 image, but its clock set-up is QEMU's: never for a real Pyboard
    result = subprocess.run(
        [sys.executable, "-m", "firmware.deploy", "--board", board, "--dry-run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: {board} is not flashed: it runs on this machine (port {port})"
    )


def test_a_flavour_deploys_from_its_own_folder(images, monkeypatch):
    import shutil

    monkeypatch.setattr(deploy.rp2, "mount_points", lambda: [])
    flavour = images / "RPI_PICO-pyonly"
    shutil.copytree(images / "RPI_PICO", flavour)
    lines = _dry_run("RPI_PICO", images, port="P", flavour="pyonly")
    assert lines[0].endswith(f"from {flavour}; nothing is run")
    assert [line for line in lines if line[0] == "$"] == [
        f"$ picotool load -x {flavour / 'firmware.uf2'} -f"
    ]

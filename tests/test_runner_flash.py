"""--flash / `make test-device FLASH=1`: the image goes on the board first, the board must
answer with that build (build id), or the run stops with one line before any test."""

import hashlib
import json
import shutil
import subprocess
import sys

from firmware.imagecheck import dfuse
from tests_hw.runner.targets import PROJECT

ONE_TEST = ("print('flashed and fine')\n", "flashed and fine\n")


def cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "tests_hw.runner", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def errors_of(run):
    return [line for line in run.stderr.splitlines() if line.startswith("error: ")]


def test_booted_image_answers_with_its_build_then_the_suite_runs(qemu_image, device_suite):
    device_suite("test_flashed.py", *ONE_TEST)
    run = cli(str(device_suite.dir), "--board", f"QEMU_MPS2_AN385={qemu_image}", "--flash")
    assert run.returncode == 0, run.stderr
    assert f"QEMU_MPS2_AN385: boots {qemu_image}" in run.stderr
    assert run.stdout.startswith("leaks=0 pass=1")


def test_a_board_answering_with_another_build_stops_the_run(unix_image, device_suite, tmp_path):
    # The image is real; its manifest records another build, as when a flash did not take.
    folder = tmp_path / "UNIX"
    folder.mkdir()
    shutil.copy(unix_image, folder / "micropython")
    manifest = (
        json.loads((PROJECT / "firmware/images/UNIX/manifest.json").read_text())
        if (PROJECT / "firmware/images/UNIX/manifest.json").is_file()
        else {"asyncio_version": "0.1.0"}
    )
    manifest["build_id"] = "0000000-19700101T000000Z"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    device_suite("test_flashed.py", *ONE_TEST)
    run = cli(str(device_suite.dir), "--board", f"UNIX={folder / 'micropython'}", "--flash")
    assert run.returncode == 2
    [error] = errors_of(run)
    assert error.startswith("error: UNIX answers asyncio ")
    assert error.endswith(
        "but the image flashed is asyncio '%s' build '0000000-19700101T000000Z'"
        % manifest["asyncio_version"]
    )
    assert "pass=" not in run.stdout  # no test ran on the wrong build


def test_an_image_without_a_manifest_cannot_be_checked(unix_image, device_suite, tmp_path):
    shutil.copy(unix_image, tmp_path / "micropython")
    device_suite("test_flashed.py", *ONE_TEST)
    run = cli(str(device_suite.dir), "--board", f"UNIX={tmp_path / 'micropython'}", "--flash")
    assert run.returncode == 2
    [error] = errors_of(run)
    assert error.startswith(f"error: UNIX: no manifest.json beside {tmp_path / 'micropython'}")


def test_a_failed_flash_is_one_line_and_no_test_runs(tmp_path, device_suite):
    # A valid PYBV11 image, but the board's port is not there: deploy cannot put it in DFU.
    folder = tmp_path / "PYBV11"
    folder.mkdir()
    image = dfuse.pack_dfuse([(0x08000000, b"\3" * 512)])
    (folder / "firmware.dfu").write_bytes(image)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "board": "PYBV11",
                "port": "stm32",
                "asyncio_version": "9.8.7",
                "build_id": "c0ffee-20261122T000000Z",
                "micropython": {"version": "1.25.0", "source": "test"},
                "git_commit": "c0ffee",
                "asyncio_c": True,
                "files": {
                    "firmware.dfu": {
                        "size": len(image),
                        "sha256": hashlib.sha256(image).hexdigest(),
                    }
                },
            }
        )
    )
    device_suite("test_flashed.py", *ONE_TEST)
    port = str(tmp_path / "ttyACM9")
    run = cli(
        "--port", port, "--flash", "PYBV11", "--images-dir", str(tmp_path), str(device_suite.dir)
    )
    assert run.returncode == 2
    [error] = errors_of(run)
    assert error.startswith(f"error: {port}: flashing PYBV11 failed: ")
    assert "pass=" not in run.stdout


def test_a_board_that_is_not_built_is_named(tmp_path, device_suite):
    device_suite("test_flashed.py", *ONE_TEST)
    run = cli(
        "--port",
        "/dev/ttyACM9",
        "--flash",
        "PYBV11",
        "--images-dir",
        str(tmp_path),
        str(device_suite.dir),
    )
    assert run.returncode == 2
    assert errors_of(run) == [
        f"error: /dev/ttyACM9: flashing PYBV11 failed: no image for PYBV11 in "
        f"{tmp_path / 'PYBV11'}: build it first: make firmware BOARD=PYBV11"
    ]


def test_flash_on_a_port_needs_the_board_name(device_suite):
    device_suite("test_flashed.py", *ONE_TEST)
    run = cli(str(device_suite.dir), "--port", "/dev/ttyACM9", "--flash")
    assert run.returncode == 2
    assert errors_of(run) == [
        "error: --flash on /dev/ttyACM9 needs the board's name, e.g. --flash PYBV11"
    ]


def test_make_test_device_flash_builds_flashes_and_tests():
    def planned(*args):
        # (--no-print-directory: under `make test` this make is a sub-make,
        # which would add "Entering/Leaving directory" lines)
        run = subprocess.run(
            ["make", "--no-print-directory", "-n", "test-device", *args],
            cwd=PROJECT,
            capture_output=True,
            text=True,
        )
        return run.stdout.splitlines()

    on_port = planned("BOARD=PYBV11", "PORT=/dev/ttyACM0", "FLASH=1")
    assert any("-m firmware build --board PYBV11" in line for line in on_port)
    assert on_port[-1].endswith("-m tests_hw.runner --port /dev/ttyACM0 --flash PYBV11")
    here = planned("BOARD=QEMU_MPS2_AN385", "FLASH=1")
    assert here[-1].endswith("-m tests_hw.runner --board QEMU_MPS2_AN385 --flash")
    assert planned("PORT=/dev/ttyACM0")[-1].endswith("-m tests_hw.runner --port /dev/ttyACM0 ")

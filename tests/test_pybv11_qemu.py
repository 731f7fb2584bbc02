"""PYBV11_QEMU: the Pyboard's image built to boot in qemu-system-arm's netduinoplus2, started
by the runner itself. Its image needs lib/stm32lib (not in Debian's source): without one
built, these skip."""

from pathlib import Path

import pytest

from firmware import boards
from tests_hw.runner import probes
from tests_hw.runner.targets import board_target

IMAGE = Path(__file__).resolve().parents[1] / "firmware/images/PYBV11_QEMU/firmware.elf"


@pytest.fixture
def pybv11_qemu():
    if not IMAGE.is_file():
        pytest.skip(
            "no PYBV11_QEMU image: make firmware "
            "BOARD=PYBV11_QEMU MPY_DIR=<tree with lib/stm32lib>"
        )
    return lambda: board_target(f"PYBV11_QEMU={IMAGE}")


def test_it_is_the_pyboard_in_qemu():
    board = boards.get("PYBV11_QEMU")
    assert (board.port, board.upstream_board, board.inherit) == ("stm32", "PYBV11", "PYBV11")
    assert board.qemu["args"][:2] == ["-machine", "netduinoplus2"]
    assert "-no-reboot" in board.qemu["args"]  # machine.reset() ends QEMU, as on QEMU_MPS2_AN385


def test_lightsleep_is_skipped_with_why(pybv11_qemu):
    # QEMU's missing RCC hangs machine.lightsleep() on the way back from stop mode: the
    # runner's QEMU target takes board.json's emulator_lacks, as rp2040js's does.
    lacks = pybv11_qemu().lacks
    assert "no RCC" in lacks["lightsleep"]
    features = probes.apply_lacks({"lightsleep": True, "float": True}, lacks)
    lacking = probes.missing(["lightsleep", "float"], features)
    assert len(lacking) == 1 and lacking[0].startswith("lightsleep (netduinoplus2 has no RCC")


def test_runner_boots_it_and_gets_it_back(pybv11_qemu, device_suite, run_suite):
    device_suite(
        "test_a_board.py",
        "import sys, asyncio, _asyncio, _buildinfo\nprint(sys.platform, _buildinfo.board)\n",
        exp="pyboard PYBV11_QEMU\n",
    )
    device_suite("test_b_hang.py", "# timeout: 3\nwhile True:\n    pass\n")
    device_suite("test_c_reset.py", "import machine\nmachine.reset()\n")
    device_suite(
        "test_d_harness.py",
        "import hwtest\nasync def test_sleep():\n    import asyncio\n"
        "    await asyncio.sleep_ms(20)\nhwtest.main()\n",
    )
    results = run_suite([pybv11_qemu()], device_suite.dir)
    seen = {name: (r.status, r.message) for name, r in results.items()}
    assert results["test_a_board.py"].status == "pass", seen
    assert (
        results["test_b_hang.py"].status == "timeout"
        and "Ctrl-C" in results["test_b_hang.py"].message
    ), seen
    assert (
        results["test_c_reset.py"].message
        == "board reset mid-test: QEMU exited with status 0 (machine.reset() ends the emulator)"
    ), seen
    assert results["test_d_harness.py"].status == "pass", seen

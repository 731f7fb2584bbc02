"""Deploy's real (non-dry) paths up to the hardware, and each failure's one-line error."""

import os
import pty

import pytest

from firmware import deploy
from firmware.deploy import esp32, ports, rp2
from firmware.errors import DeviceError, ImageMissing

import test_deploy_dry_run

# The dry runs' fixture (valid images + manifests), for the tests here too.
images = test_deploy_dry_run.images

# Lines as esptool prints them (esptool 5 cmds/__init__.py; esptool 4 "Chip is ...").
ESPTOOL5_S3 = (
    "Connecting....\n"
    "Detecting chip type... ESP32-S3\n"
    "Connected to ESP32-S3 on /dev/ttyUSB0:\n"
    "Chip type:          ESP32-S3 (QFN56) (revision v0.2)\n"
)
ESPTOOL5_ESP32 = (
    "Connecting....\n"
    "Connected to ESP32 on /dev/ttyUSB0:\n"
    "Chip type:          ESP32-D0WD-V3 (revision v3.1)\n"
)
ESPTOOL4_ESP32 = (
    "Connecting....\n"
    "Detecting chip type... Unsupported detection protocol, switching and trying again...\n"
    "Chip is ESP32-D0WD-V3 (revision v3.1)\n"
)


def test_chip_family_from_esptool_output():
    assert esp32.chip_family(ESPTOOL5_S3) == "ESP32-S3"
    assert esp32.chip_family(ESPTOOL5_ESP32) == "ESP32"
    assert esp32.chip_family(ESPTOOL4_ESP32) == "ESP32"
    assert esp32.chip_family("A fatal error occurred: Failed to connect") is None


def test_wrong_chip_stops_before_writing(images, monkeypatch, tmp_path):
    calls = []

    def fake_run(self, argv, check=True, timeout=600, probe=False):
        calls.append(argv)
        return 0, ESPTOOL5_S3  # what esptool says when an ESP32-S3 is on the port

    monkeypatch.setattr(deploy.commands.Runner, "run", fake_run)
    monkeypatch.setattr(deploy.commands, "find_tool", lambda name: "/usr/bin/" + name)
    with pytest.raises(deploy.WrongChip) as info:
        deploy.deploy("ESP32_GENERIC", port="/dev/ttyUSB0", images_dir=images, verify=False)
    assert str(info.value).startswith(
        "/dev/ttyUSB0 has an ESP32-S3, but ESP32_GENERIC images are for ESP32"
    )
    assert calls == [["/usr/bin/esptool", "--port", "/dev/ttyUSB0", "chip-id"]]  # no write-flash


@pytest.mark.parametrize(
    "board, tool, hint",
    [
        ("ESP32_GENERIC", "esptool", "pip install esptool"),
        ("PYBV11", "dfu-util", "apt-get install dfu-util"),
        ("RPI_PICO", "picotool", "apt-get install picotool"),
    ],
)
def test_missing_tool_says_how_to_install_it(images, monkeypatch, tmp_path, board, tool, hint):
    monkeypatch.setattr(deploy.commands, "find_tool", lambda name: None)
    monkeypatch.setattr(rp2, "mount_points", lambda: [])
    monkeypatch.setattr(ports, "list_serial_ports", lambda: [])
    with pytest.raises(deploy.FlashToolMissing) as info:
        deploy.deploy(board, port=None if board == "RPI_PICO" else "/dev/null", images_dir=images)
    assert str(info.value).splitlines()[0] == f"{tool} not found on PATH"
    assert hint in str(info.value)


def test_missing_image_says_build_it_first(tmp_path):
    with pytest.raises(ImageMissing) as info:
        deploy.deploy("RPI_PICO", images_dir=tmp_path)
    assert "build it first: make firmware BOARD=RPI_PICO" in str(info.value)


def test_corrupt_image_is_refused_before_flashing(images):
    path = images / "PYBV11" / "firmware.dfu"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(deploy.FirmwareError) as info:
        deploy.deploy("PYBV11", port="/dev/null", images_dir=images)
    assert "image check failed" in str(info.value)


PICO = ("/dev/ttyACM0", 0x2E8A, 0x0005, "E6605838", "Board in FS mode")
PICO2 = ("/dev/ttyACM1", 0x2E8A, 0x0005, "E6605839", "Board in FS mode")
MOUSE = ("/dev/ttyS0", None, None, None, "n/a")


def test_port_choice_one_none_several():
    assert ports.choose("RPI_PICO", ports.MICROPYTHON_RP2, [MOUSE, PICO]) == PICO
    with pytest.raises(deploy.PortNotFound) as none:
        ports.choose("RPI_PICO", ports.MICROPYTHON_RP2, [MOUSE])
    assert str(none.value).startswith(
        "no serial port found for RPI_PICO (looked for USB ids 2e8a:0005; ports seen: /dev/ttyS0"
    )
    with pytest.raises(deploy.AmbiguousPort) as several:
        ports.choose("RPI_PICO", ports.MICROPYTHON_RP2, [PICO, PICO2])
    assert str(several.value).splitlines()[0] == (
        "2 possible ports for RPI_PICO: /dev/ttyACM0 "
        "(2e8a:0005, serial E6605838, Board in FS mode); "
        "/dev/ttyACM1 (2e8a:0005, serial E6605839, Board in FS mode)"
    )
    assert "PORT=/dev/ttyACM0" in str(several.value)


def test_no_port_found_is_an_error_for_esp32(images, monkeypatch):
    monkeypatch.setattr(ports, "list_serial_ports", lambda: [MOUSE])
    monkeypatch.setattr(deploy.commands, "find_tool", lambda name: "/usr/bin/" + name)
    with pytest.raises(deploy.PortNotFound):
        deploy.deploy("ESP32_GENERIC", images_dir=images)


def test_wait_for_port_sees_the_board_come_back():
    seen = iter([[], [MOUSE], [MOUSE, PICO2], [PICO]])
    assert (
        ports.wait_for_port(
            ports.MICROPYTHON_RP2, "E6605838", timeout=5, poll=0, lister=lambda: next(seen)
        )
        == PICO[0]
    )
    with pytest.raises(deploy.PortNotFound):
        ports.wait_for_port(ports.MICROPYTHON_RP2, timeout=0.05, poll=0.01, lister=lambda: [MOUSE])


def test_uf2_is_copied_to_a_mounted_rpi_rp2_drive(images, monkeypatch, tmp_path):
    drive = tmp_path / "media" / "RPI-RP2"
    drive.mkdir(parents=True)
    (drive / "INFO_UF2.TXT").write_text(
        "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n"
    )
    monkeypatch.setattr(rp2, "mount_points", lambda: [str(tmp_path / "elsewhere"), str(drive)])
    lines = []
    deploy.deploy("RPI_PICO", images_dir=images, verify=False, out=lines.append)
    assert (drive / "firmware.uf2").read_bytes() == (
        images / "RPI_PICO" / "firmware.uf2"
    ).read_bytes()
    assert lines[-1].startswith("-> copy ")


def test_a_folder_named_rpi_rp2_without_info_uf2_is_not_the_drive(tmp_path):
    (tmp_path / "RPI-RP2").mkdir()
    assert rp2.find_drive("RPI-RP2", [str(tmp_path / "RPI-RP2")]) is None


def test_identity_probe_on_a_silent_port_fails_cleanly():
    """A pty with nothing behind it: no raw REPL answers, so a DeviceError, not a hang."""
    controller, device = pty.openpty()
    try:
        with pytest.raises(DeviceError) as info:
            deploy.device.read_identity(os.ttyname(device))
        assert "no MicroPython raw REPL answered" in str(info.value)
    finally:
        os.close(controller)
        os.close(device)

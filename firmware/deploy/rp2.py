"""RP2040 boards (RPI_PICO): copy firmware.uf2 to the boot ROM's RPI-RP2 drive, or use picotool.

Facts: in BOOTSEL mode the RP2040 ROM shows a USB drive (labelled as board.json "flash"
"drive_label" says: RPI-RP2) holding INFO_UF2.TXT; any UF2 copied onto it is flashed and run.
A board running MicroPython gets there with machine.bootloader() over its serial port.
"""

import os
import shutil
import time
from pathlib import Path

from . import device, ports

IMAGE = "firmware.uf2"
USB_IDS = ports.MICROPYTHON_RP2


def mount_points():
    """Mounted file systems (Linux /proc/mounts), plus the usual desktop mount folders."""
    found = []
    try:
        with open("/proc/mounts") as mounts:
            found += [line.split()[1].replace("\\040", " ") for line in mounts]
    except OSError:
        pass
    user = os.environ.get("USER", "")
    for parent in (f"/media/{user}", f"/run/media/{user}", "/Volumes", "/media"):
        if os.path.isdir(parent):
            found += [os.path.join(parent, name) for name in sorted(os.listdir(parent))]
    return found


def find_drive(label, mounts=None):
    """The RPI-RP2 drive: named `label` and holding the ROM's INFO_UF2.TXT."""
    for mount in mounts if mounts is not None else mount_points():
        path = Path(mount)
        if path.name == label and (path / "INFO_UF2.TXT").is_file():
            return path
    return None


def flash(ctx):
    label = ctx.board.flash_setting("drive_label")
    image = ctx.image(IMAGE)
    drive = find_drive(label)
    serial_number = None
    if drive is None:
        port = ctx.pick_port(USB_IDS, optional=True)
        if port is not None:
            serial_number = ctx.serial_number
            ctx.runner.step(
                f"serial {port}: Ctrl-C, then machine.bootloader()  "
                f"(board shows the {label} drive)"
            )
            if not ctx.runner.dry_run:
                device.enter_bootloader(port)
                drive = _wait_for_drive(label)
    if drive is not None:
        ctx.runner.step(f"copy {image} -> {drive}/  (the ROM flashes it and reboots)")
        if not ctx.runner.dry_run:
            shutil.copyfile(image, drive / Path(image).name)
            os.sync()
        return USB_IDS, serial_number
    if ctx.runner.dry_run:
        ctx.runner.step(f"copy {image} -> the {label} drive, when one is mounted; otherwise:")
    # -x runs the image after loading; -f asks a running board to reboot into BOOTSEL first.
    picotool = ctx.runner.tool("picotool")
    ctx.runner.run([picotool, "load", "-x", image, "-f"])
    return USB_IDS, serial_number


def _wait_for_drive(label, timeout=10.0):
    """The drive once mounted, or None (headless machines often do not mount it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drive = find_drive(label)
        if drive is not None:
            return drive
        time.sleep(0.5)
    return None

"""STM32 boards (PYBV11): dfu-util writes firmware.dfu to the ROM's DFU bootloader.

Facts: board.json "flash" gives the USB id the STM32 system bootloader enumerates as
(0483:df11); alt setting 0 is internal flash; ":leave" makes it run the new image.
A board running MicroPython is put into DFU with machine.bootloader() over its serial port;
otherwise it needs BOOT0 held high (the DFU jumper on PYBV11) during reset.
"""

import re
import time

from . import device, ports
from .errors import PortNotFound

IMAGE = "firmware.dfu"
USB_IDS = ports.MICROPYTHON_PYBOARD


def dfu_device_present(runner, dfu_util, usb_id):
    _code, output = runner.run([dfu_util, "--list"], check=False, probe=True)
    return re.search(rf"\[{usb_id}\]", output, re.IGNORECASE) is not None


def flash(ctx):
    usb_id = ctx.board.flash_setting("usb_id")
    dfu_util = ctx.runner.tool("dfu-util")
    image = ctx.image(IMAGE)
    serial_number = None
    if ctx.runner.dry_run or not dfu_device_present(ctx.runner, dfu_util, usb_id):
        port = ctx.pick_port(USB_IDS, optional=ctx.runner.dry_run)
        serial_number = ctx.serial_number
        ctx.runner.step(
            f"serial {port}: Ctrl-C, then machine.bootloader()  "
            f"(unless {usb_id} is already in DFU mode)"
        )
        if not ctx.runner.dry_run:
            device.enter_bootloader(port)
            _wait_for_dfu(ctx.runner, dfu_util, usb_id)
    ctx.runner.run(
        [
            dfu_util,
            "--alt",
            "0",
            "--device",
            usb_id,
            "--dfuse-address",
            ":leave",
            "--download",
            image,
        ]
    )
    return USB_IDS, serial_number


def _wait_for_dfu(runner, dfu_util, usb_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not dfu_device_present(runner, dfu_util, usb_id):
        if time.monotonic() > deadline:
            raise PortNotFound(
                f"no DFU device {usb_id} appeared within {timeout:.0f} s of machine.bootloader()",
                hint="hold the board's BOOT0/DFU jumper high and press reset, then retry",
            )
        time.sleep(0.5)

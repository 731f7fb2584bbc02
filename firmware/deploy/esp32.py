"""ESP32 boards: esptool checks the chip, then writes MicroPython's merged firmware.bin.

Flashing facts come from boards/<BOARD>/board.json "flash": chip, offset and baud. Why
ESP32_GENERIC's are what they are: firmware.bin goes at 0x1000 (the original ESP32's
bootloader offset; S2 too, 0x0 on S3/C3 and later), and 460800 baud is reliable on
CP210x/CH340 bridges (115200 if not).
"""

import re

from . import ports
from .errors import WrongChip

IMAGE = "firmware.bin"
USB_IDS = ports.ESP32_BRIDGES
# Chip families as esptool names them; longest first so "ESP32-S3" wins over "ESP32".
FAMILIES = sorted(
    [
        "ESP8266",
        "ESP32",
        "ESP32-S2",
        "ESP32-S3",
        "ESP32-C2",
        "ESP32-C3",
        "ESP32-C5",
        "ESP32-C6",
        "ESP32-C61",
        "ESP32-H2",
        "ESP32-P4",
    ],
    key=len,
    reverse=True,
)


def chip_family(esptool_output):
    """The chip family esptool connected to (v5: "Connected to X on", v4: "Chip is X")."""
    for pattern in (
        r"Connected to (ESP[\w-]+) on",
        r"Detecting chip type\.\.\.\s*(ESP[\w-]+)",
        r"Chip is (ESP[\w-]+)",
    ):
        match = re.search(pattern, esptool_output)
        if match:
            name = match.group(1).upper()
            return next((f for f in FAMILIES if name == f or name.startswith(f + "-")), name)
    return None


def flash(ctx):
    chip, offset = ctx.board.flash_setting("chip"), ctx.board.flash_setting("offset")
    baud = ctx.baud or ctx.board.flash_setting("baud")
    image = ctx.image(IMAGE)
    esptool = ctx.runner.tool("esptool")
    port = ctx.pick_port(USB_IDS)
    _code, output = ctx.runner.run([esptool, "--port", port, "chip-id"], probe=True)
    if not ctx.runner.dry_run:
        found = chip_family(output)
        if found is None:
            raise WrongChip(
                f"{port}: esptool found no ESP chip: {output.strip().splitlines()[-1:]}"
            )
        if found != chip.upper():
            raise WrongChip(
                f"{port} has an {found}, but {ctx.board.name} images are for {chip.upper()}",
                hint="pick the right board (make boards) or the right port (PORT=...)",
            )
    if ctx.erase:
        ctx.runner.run([esptool, "--chip", chip, "--port", port, "erase-flash"])
    ctx.runner.run(
        [
            esptool,
            "--chip",
            chip,
            "--port",
            port,
            "--baud",
            str(baud),
            "write-flash",
            offset,
            image,
        ]
    )
    # esptool hard-resets through RTS afterwards; the bridge's port never goes away.
    return USB_IDS, port

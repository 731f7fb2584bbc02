"""What each port's images must look like, and where each board's flash is.

Flash facts (datasheets): STM32F405RG (PYBV11) has 1 MiB of flash at 0x08000000;
the Raspberry Pi Pico has a 2 MiB W25Q16 mapped (XIP) at 0x10000000; the AN385's
code memory (ZBT SSRAM1) is 4 MiB at 0x00000000. A board.json may override with
"flash_region": {"start": "0x...", "size": N}.
"""

import json
import platform

from . import dfuse, elf, esp32, intelhex, uf2

BOARD_FLASH = {
    "PYBV11": (0x08000000, 1 << 20),
    "RPI_PICO": (0x10000000, 2 << 20),
    "QEMU_MPS2_AN385": (0x00000000, 4 << 20),
}
# Used when a board of that port is not in BOARD_FLASH (e.g. a *_STOCK twin).
PORT_FLASH = {"stm32": BOARD_FLASH["PYBV11"], "rp2": BOARD_FLASH["RPI_PICO"], "qemu": BOARD_FLASH["QEMU_MPS2_AN385"]}

_HOST_MACHINES = {
    "x86_64": elf.MACHINE_X86_64,
    "amd64": elf.MACHINE_X86_64,
    "aarch64": elf.MACHINE_AARCH64,
    "arm64": elf.MACHINE_AARCH64,
}


def flash_region(board, port, boards_root):
    """(start, size) of the board's flash: board.json, then the tables above."""
    board_json = boards_root / board / "board.json" if boards_root else None
    if board_json and board_json.is_file():
        region = json.loads(board_json.read_text()).get("flash_region")
        if region:
            return int(str(region["start"]), 0), int(str(region["size"]), 0)
    return BOARD_FLASH.get(board) or PORT_FLASH.get(port)


def _unix(data, _flash):
    host = _HOST_MACHINES.get(platform.machine().lower())
    machines = (host,) if host else tuple(elf.MACHINE_NAMES)
    return elf.validate_elf(data, machines)


def _arm_elf(data, flash):
    """A 32-bit Arm executable whose entry point lies inside the board's flash."""
    start, size = flash
    return elf.validate_elf(data, (elf.MACHINE_ARM,), elf.CLASS_32, (start, start + size))


def _dfu(data, flash):
    return dfuse.validate_dfuse(data, *flash)


def _hex(data, flash):
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return ["not ASCII text"], ""
    return intelhex.validate_intel_hex(text, *flash)


def _uf2(data, flash):
    return uf2.validate_uf2(data, uf2.FAMILY_RP2040, *flash)


def _esp32_merged(data, _flash):
    return esp32.validate_merged_firmware(data)


def _esp32_app(data, _flash):
    problems, summary, _end = esp32.validate_app_image(data, what="app")
    return problems, summary


def _esp32_bootloader(data, _flash):
    problems, summary, _end = esp32.validate_app_image(data, what="bootloader")
    return problems, summary


def _esp32_table(data, _flash):
    problems, entries = esp32.parse_partition_table(data)
    if entries and esp32.first_app_partition(entries) is None:
        problems.append("partition table: no factory/ota app partition")
    return problems, f"{len(entries)} partitions"


# port -> [(file name, validator, required)]
PORT_FILES = {
    "unix": [("micropython", _unix, True)],
    "qemu": [("firmware.elf", _arm_elf, True)],
    "stm32": [("firmware.dfu", _dfu, True), ("firmware.hex", _hex, False), ("firmware.elf", _arm_elf, False)],
    "rp2": [("firmware.uf2", _uf2, True), ("firmware.elf", _arm_elf, False)],
    "esp32": [
        ("firmware.bin", _esp32_merged, True),
        ("bootloader.bin", _esp32_bootloader, False),
        ("partition-table.bin", _esp32_table, False),
        ("micropython.bin", _esp32_app, False),
    ],
}

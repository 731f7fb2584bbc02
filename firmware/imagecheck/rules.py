"""What each port's images must look like, and where each board's flash is.

Where an image lives comes from the board's board.json, "flash": {"region": {"start", "size"}}
(firmware.boards); the values are the datasheets': STM32F405RG (PYBV11) has 1 MiB of flash
at 0x08000000; the Raspberry Pi Pico a 2 MiB W25Q16 mapped (XIP) at 0x10000000; the AN385's
code memory (ZBT SSRAM1) is 4 MiB at 0x00000000.
"""

import platform
from pathlib import Path

from .. import boards
from ..paths import BOARDS_DIR
from . import dfuse, elf, esp32, intelhex, uf2

_HOST_MACHINES = {
    "x86_64": elf.MACHINE_X86_64,
    "amd64": elf.MACHINE_X86_64,
    "aarch64": elf.MACHINE_AARCH64,
    "arm64": elf.MACHINE_AARCH64,
}


def flash_region(board, port, boards_root=None):
    """(start, size) of the board's flash, or None. boards_root (a boards/ folder of its own)
    is asked first, then the project's boards/; a board neither knows (an image built
    elsewhere) gets the region of the first board of its port."""
    registries = (
        [boards.all_boards(boards_root)] if boards_root and Path(boards_root) != BOARDS_DIR else []
    )
    registries.append(boards.all_boards())
    for registry in registries:
        known = registry.get(board)
        if known is not None and known.flash_region:
            return known.flash_region
    for registry in registries:
        for other in registry.values():
            if other.port == port and other.flash_region:
                return other.flash_region
    return None


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
    "stm32": [
        ("firmware.dfu", _dfu, True),
        ("firmware.hex", _hex, False),
        ("firmware.elf", _arm_elf, False),
    ],
    "rp2": [("firmware.uf2", _uf2, True), ("firmware.elf", _arm_elf, False)],
    "esp32": [
        ("firmware.bin", _esp32_merged, True),
        ("bootloader.bin", _esp32_bootloader, False),
        ("partition-table.bin", _esp32_table, False),
        ("micropython.bin", _esp32_app, False),
    ],
}


# With no manifest to name the port, a file's suffix names its format and the one port
# here that makes it (.bin: only ESP32's images are raw .bin here; .elf: several ports).
SUFFIX_PORTS = {".uf2": "rp2", ".dfu": "stm32", ".hex": "stm32", ".bin": "esp32"}


def _any_elf(data, _flash):
    """An ELF executable for a port nobody named: the header alone can be checked."""
    return elf.validate_elf(data, tuple(elf.MACHINE_NAMES))


def file_rules(names, port=None):
    """[(file name, port, validator, required)] for a board folder without a manifest:
    port's files when the board's port is known, then every other file whose name
    or suffix says what it is."""
    rules, seen = [], set()
    for name, validate, required in PORT_FILES.get(port, []):
        rules.append((name, port, validate, required))
        seen.add(name)
    for name in sorted(set(names) - seen):
        suffix = Path(name).suffix
        if name == "micropython":
            rules.append((name, "unix", _unix, False))
        elif suffix == ".elf":
            rules.append(
                (name, port, _arm_elf if port in ("qemu", "stm32", "rp2") else _any_elf, False)
            )
        elif suffix in SUFFIX_PORTS:
            owner = SUFFIX_PORTS[suffix]
            candidates = [entry for entry in PORT_FILES[owner] if Path(entry[0]).suffix == suffix]
            validate = next((v for n, v, _ in candidates if n == name), candidates[0][1])
            rules.append((name, owner, validate, False))
    return rules

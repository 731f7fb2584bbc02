"""ELF executables (the UNIX port's `micropython`, the QEMU board's `firmware.elf`).

Only the identification and header fields are checked (System V gABI, "ELF Header"):
enough to catch a truncated file, a host binary where an Arm one belongs, or an
object file that was never linked.
"""

import struct

MAGIC = b"\x7fELF"
CLASS_32, CLASS_64 = 1, 2
LITTLE_ENDIAN = 1
TYPE_EXEC, TYPE_DYN = 2, 3
MACHINE_ARM = 40
MACHINE_X86_64 = 62
MACHINE_AARCH64 = 183
MACHINE_NAMES = {
    MACHINE_ARM: "Arm",
    MACHINE_X86_64: "x86-64",
    MACHINE_AARCH64: "AArch64",
    3: "x86",
}


def read_header(image):
    """Return dict(elf_class, type, machine, entry) or None when the file is no ELF."""
    if len(image) < 52 or image[:4] != MAGIC:
        return None
    elf_class, endian = image[4], image[5]
    order = "<" if endian == LITTLE_ENDIAN else ">"
    e_type, machine = struct.unpack_from(order + "HH", image, 16)
    entry_format = "I" if elf_class == CLASS_32 else "Q"
    (entry,) = struct.unpack_from(order + entry_format, image, 24)
    return {
        "elf_class": elf_class,
        "endian": endian,
        "type": e_type,
        "machine": machine,
        "entry": entry,
    }


def validate_elf(image, machines, elf_class=None, entry_range=None):
    """Return (problems, summary) for an executable built for one of `machines`."""
    header = read_header(image)
    if header is None:
        return ["not an ELF file (no \\x7fELF magic)"], ""
    problems = []
    if header["endian"] != LITTLE_ENDIAN:
        problems.append("big-endian ELF, expected little-endian")
    if elf_class is not None and header["elf_class"] != elf_class:
        problems.append(
            f"ELF class {header['elf_class']}, expected {elf_class} (1=32-bit, 2=64-bit)"
        )
    if header["type"] not in (TYPE_EXEC, TYPE_DYN):
        problems.append(f"ELF type {header['type']} is not an executable")
    machine = MACHINE_NAMES.get(header["machine"], str(header["machine"]))
    if header["machine"] not in machines:
        wanted = "/".join(MACHINE_NAMES.get(m, str(m)) for m in machines)
        problems.append(f"built for {machine}, expected {wanted}")
    if entry_range is not None:
        low, high = entry_range
        if not low <= header["entry"] < high:
            problems.append(f"entry 0x{header['entry']:x} outside 0x{low:x}-0x{high:x}")
    return problems, f"ELF {machine}, entry 0x{header['entry']:x}"

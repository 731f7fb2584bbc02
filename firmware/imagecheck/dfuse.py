"""DfuSe `.dfu` files (ST's extension of USB DFU 1.1), as dfu-util and the STM32 ROM use.

Format facts from ST UM0391 "DfuSe File Format Specification" and the DFU 1.1 spec, appendix B:

    prefix  (11 bytes)  "DfuSe", bVersion=1, DFUImageSize (u32: file size without suffix), bTargets
    target  (274 bytes) "Target", bAlternateSetting, bTargetNamed (u32), szTargetName[255],
                        dwTargetSize (u32: bytes of its elements), dwNbElements (u32)
    element (8 bytes + data) dwElementAddress, dwElementSize, data
    suffix  (16 bytes)  bcdDevice, idProduct, idVendor, bcdDFU=0x011A, "UFD", bLength=16, dwCRC

All integers are little-endian. dwCRC is the CRC-32 (IEEE polynomial) of the whole file
except the CRC itself, *without* the final inversion: zlib's crc32 XOR 0xFFFFFFFF.
"""

import struct
import zlib

PREFIX = struct.Struct("<5sBIB")
TARGET = struct.Struct("<6sBI255sII")
ELEMENT = struct.Struct("<II")
SUFFIX = struct.Struct("<HHHH3sBI")
SIGNATURE = b"DfuSe"
TARGET_SIGNATURE = b"Target"
SUFFIX_SIGNATURE = b"UFD"  # "DFU" stored reversed
BCD_DFUSE = 0x011A

STM32_DFU_VID = 0x0483  # STMicroelectronics
STM32_DFU_PID = 0xDF11  # the STM32 system-memory DFU bootloader


def dfu_crc(data):
    return zlib.crc32(data) ^ 0xFFFFFFFF


def pack_dfuse(elements, vid=STM32_DFU_VID, pid=STM32_DFU_PID, target_name=b"ST..."):
    """Encode [(address, bytes), ...] as a one-target DfuSe file."""
    body = b"".join(ELEMENT.pack(addr, len(data)) + data for addr, data in elements)
    target = TARGET.pack(TARGET_SIGNATURE, 0, 1, target_name, len(body), len(elements)) + body
    image = PREFIX.pack(SIGNATURE, 1, PREFIX.size + len(target), 1) + target
    image += SUFFIX.pack(0, pid, vid, BCD_DFUSE, SUFFIX_SIGNATURE, SUFFIX.size, 0)[:-4]
    return image + struct.pack("<I", dfu_crc(image))


def validate_dfuse(image, flash_start, flash_size, vid=STM32_DFU_VID, pid=STM32_DFU_PID):
    """Return (problems, summary); `problems` is empty for a well-formed file."""
    if len(image) < PREFIX.size + SUFFIX.size:
        return [f"only {len(image)} bytes: too short for a DfuSe file"], ""
    problems = []
    body_end = len(image) - SUFFIX.size
    dev, s_pid, s_vid, bcd, signature, length, crc = SUFFIX.unpack_from(image, body_end)
    if signature != SUFFIX_SIGNATURE or length != SUFFIX.size:
        problems.append(f"suffix signature {signature!r}/length {length}, expected b'UFD'/16")
    if bcd != BCD_DFUSE:
        problems.append(f"suffix bcdDFU 0x{bcd:04x}, expected 0x{BCD_DFUSE:04x} (DfuSe)")
    if (s_vid, s_pid) != (vid, pid):
        problems.append(f"suffix device {s_vid:04x}:{s_pid:04x}, expected {vid:04x}:{pid:04x}")
    expected_crc = dfu_crc(image[:-4])
    if crc != expected_crc:
        problems.append(f"CRC 0x{crc:08x}, computed 0x{expected_crc:08x}")

    sig, version, image_size, targets = PREFIX.unpack_from(image, 0)
    if sig != SIGNATURE:
        return problems + [f"prefix signature {sig!r}, expected b'DfuSe'"], ""
    if version != 1:
        problems.append(f"prefix version {version}, expected 1")
    if image_size != body_end:
        problems.append(f"prefix DFUImageSize {image_size}, file body is {body_end} bytes")
    if targets < 1:
        problems.append("no targets")

    flash_end = flash_start + flash_size
    spans = []
    offset = PREFIX.size
    for t in range(targets):
        if offset + TARGET.size > body_end:
            problems.append(f"target {t}: header runs past the end of the file")
            return problems, ""
        t_sig, _alt, _named, _name, t_size, n_elements = TARGET.unpack_from(image, offset)
        if t_sig != TARGET_SIGNATURE:
            problems.append(f"target {t}: signature {t_sig!r}, expected b'Target'")
            return problems, ""
        offset += TARGET.size
        t_end = offset + t_size
        if t_end > body_end:
            problems.append(f"target {t}: dwTargetSize {t_size} runs past the end of the file")
            return problems, ""
        for e in range(n_elements):
            where = f"target {t} element {e}"
            if offset + ELEMENT.size > t_end:
                problems.append(f"{where}: header runs past its target")
                return problems, ""
            addr, size = ELEMENT.unpack_from(image, offset)
            offset += ELEMENT.size + size
            if offset > t_end:
                problems.append(f"{where}: {size} bytes run past its target")
                return problems, ""
            if not (flash_start <= addr and addr + size <= flash_end):
                problems.append(
                    f"{where}: 0x{addr:08x}+{size} outside "
                    f"flash 0x{flash_start:08x}-0x{flash_end:08x}"
                )
            for other_addr, other_end in spans:
                if addr < other_end and other_addr < addr + size:
                    problems.append(f"{where}: 0x{addr:08x}+{size} overlaps 0x{other_addr:08x}")
            spans.append((addr, addr + size))
        if offset != t_end:
            problems.append(
                f"target {t}: elements use {offset - (t_end - t_size)} of {t_size} bytes"
            )
            offset = t_end
    if offset != body_end:
        problems.append(f"{body_end - offset} stray bytes between the last target and the suffix")
    summary = ", ".join(f"0x{a:08x}+{b - a}" for a, b in spans)
    return problems, f"{len(spans)} element(s) {summary}, device {s_vid:04x}:{s_pid:04x}"

"""ESP32 flash images: app/bootloader images, the partition table, and the merged firmware.bin.

Format facts from ESP-IDF's "App Image Format" and "Partition Tables" documentation
(and esptool's bin_image.py, which reads the same format):

  image header (8 bytes)    magic 0xE9, segment count, SPI mode, SPI size/speed, entry address
  extended header (16)      WP pin, SPI pin drive[3], chip id (u16: ESP32=0, S2=2, C3=5, S3=9),
                            min chip rev, min/max full rev (u16), reserved[4], hash_appended
  segments                  load address (u32), length (u32), data; at most 16
  checksum                  padded so it is the last byte of a 16-byte block: 0xEF XOR every
                            segment data byte
  SHA-256 (optional)        of everything before it, when hash_appended == 1

  partition table           32-byte entries: b"\\xAA\\x50", type, subtype, offset, size, label[16],
                            flags; then optionally b"\\xEB\\xEB" + 14 x 0xFF + MD5 of the entries;
                            0xFF fills the rest. It lives at flash 0x8000.

MicroPython's esp32 build writes firmware.bin = bootloader + partition table + app, merged
so that file offset 0 is the bootloader's flash offset (0x1000 on the original ESP32).
"""

import hashlib
import itertools
import shutil
import struct
import subprocess
import sys
from pathlib import Path

IMAGE_MAGIC = 0xE9
CHECKSUM_SEED = 0xEF
MAX_SEGMENTS = 16
CHIP_ESP32 = 0x0000

ESP32_BOOTLOADER_OFFSET = 0x1000  # 0x0 on S3/C3 and later chips
PARTITION_TABLE_OFFSET = 0x8000
APP_TYPE = 0x00
APP_SUBTYPES = {0x00: "factory"} | {0x10 + n: f"ota_{n}" for n in range(16)}

HEADER = struct.Struct("<BBBBI")
EXTENDED_HEADER = struct.Struct("<B3sHBHH4sB")
SEGMENT = struct.Struct("<II")
PARTITION = struct.Struct("<2sBBII16sI")
PARTITION_MAGIC = b"\xaa\x50"
PARTITION_MD5_MAGIC = b"\xeb\xeb"
FLASH_SIZES = {0: 1 << 20, 1: 2 << 20, 2: 4 << 20, 3: 8 << 20, 4: 16 << 20}


def _checksum(segments):
    value = CHECKSUM_SEED
    for _addr, data in segments:
        for byte in data:
            value ^= byte
    return value


def pack_app_image(segments, entry, chip_id=CHIP_ESP32, flash_size_code=2, hash_appended=True):
    """Encode [(load address, bytes), ...] as an ESP32 image (app or bootloader)."""
    out = bytearray(HEADER.pack(IMAGE_MAGIC, len(segments), 2, flash_size_code << 4, entry))
    out += EXTENDED_HEADER.pack(
        0xEE, b"\0\0\0", chip_id, 0, 0, 0xFFFF, b"\0" * 4, int(hash_appended)
    )
    padded = []
    for addr, data in segments:
        data = data + b"\0" * (-len(data) % 4)  # the ROM loader copies whole words
        padded.append((addr, data))
        out += SEGMENT.pack(addr, len(data)) + data
    out += b"\0" * (15 - len(out) % 16)
    out.append(_checksum(padded))
    if hash_appended:
        out += hashlib.sha256(out).digest()
    return bytes(out)


def validate_app_image(image, chip_id=CHIP_ESP32, what="image"):
    """Return (problems, summary, length used) for an image starting at image[0]."""
    if len(image) < HEADER.size + EXTENDED_HEADER.size:
        return [f"{what}: only {len(image)} bytes"], "", len(image)
    magic, count, _mode, size_speed, entry = HEADER.unpack_from(image, 0)
    if magic != IMAGE_MAGIC:
        return [f"{what}: magic 0x{magic:02x}, expected 0x{IMAGE_MAGIC:02x}"], "", 0
    problems = []
    ext = EXTENDED_HEADER.unpack_from(image, HEADER.size)
    image_chip, hash_appended = ext[2], ext[7]
    if image_chip != chip_id:
        problems.append(f"{what}: built for chip id {image_chip}, expected {chip_id}")
    if size_speed >> 4 not in FLASH_SIZES:
        problems.append(f"{what}: unknown flash size code {size_speed >> 4}")
    if not 1 <= count <= MAX_SEGMENTS:
        return problems + [f"{what}: {count} segments (1..{MAX_SEGMENTS} allowed)"], "", 0
    offset = HEADER.size + EXTENDED_HEADER.size
    segments = []
    for n in range(count):
        if offset + SEGMENT.size > len(image):
            return problems + [f"{what}: segment {n} header past the end of the file"], "", offset
        addr, length = SEGMENT.unpack_from(image, offset)
        offset += SEGMENT.size
        if offset + length > len(image):
            return (
                problems + [f"{what}: segment {n} ({length} bytes) past the end of the file"],
                "",
                offset,
            )
        if length % 4:
            problems.append(f"{what}: segment {n} length {length} is not a multiple of 4")
        segments.append((addr, image[offset : offset + length]))
        offset += length
    offset += 15 - offset % 16
    if offset >= len(image):
        return problems + [f"{what}: checksum byte past the end of the file"], "", offset
    stored, computed = image[offset], _checksum(segments)
    if stored != computed:
        problems.append(f"{what}: checksum 0x{stored:02x}, computed 0x{computed:02x}")
    offset += 1
    if hash_appended == 1:
        digest = image[offset : offset + 32]
        if hashlib.sha256(image[:offset]).digest() != digest:
            problems.append(f"{what}: appended SHA-256 does not match")
        offset += 32
    if not any(a <= entry < a + len(d) for a, d in segments):
        problems.append(f"{what}: entry 0x{entry:08x} is in no segment")
    summary = f"{what}: {count} segments, entry 0x{entry:08x}, chip id {image_chip}"
    return problems, summary, offset


def pack_partition_table(entries, with_md5=True):
    """Encode [(label, type, subtype, offset, size), ...] as a 0xC00-byte partition table."""
    table = b"".join(
        PARTITION.pack(PARTITION_MAGIC, ptype, subtype, off, size, label.encode(), 0)
        for label, ptype, subtype, off, size in entries
    )
    if with_md5:
        table += PARTITION_MD5_MAGIC + b"\xff" * 14 + hashlib.md5(table).digest()
    return table.ljust(0xC00, b"\xff")


def parse_partition_table(table):
    """Return (problems, [(label, type, subtype, offset, size)])."""
    problems, entries = [], []
    for pos in range(0, len(table) - PARTITION.size + 1, PARTITION.size):
        raw = table[pos : pos + PARTITION.size]
        if raw[:2] == PARTITION_MD5_MAGIC:
            if hashlib.md5(table[:pos]).digest() != raw[16:]:
                problems.append("partition table: MD5 does not match its entries")
            break
        if raw == b"\xff" * PARTITION.size:
            break
        magic, ptype, subtype, off, size, label, _flags = PARTITION.unpack(raw)
        if magic != PARTITION_MAGIC:
            problems.append(f"partition table: entry {len(entries)} has magic {magic.hex()}")
            break
        entries.append((label.rstrip(b"\0").decode(errors="replace"), ptype, subtype, off, size))
    if not entries:
        problems.append("partition table: no entries")
    spans = sorted((off, off + size, label) for label, _t, _s, off, size in entries)
    for (_a0, a1, la), (b0, _b1, lb) in itertools.pairwise(spans):
        if b0 < a1:
            problems.append(f"partition table: {la!r} and {lb!r} overlap")
    if spans and spans[0][0] < PARTITION_TABLE_OFFSET + 0x1000:
        problems.append(f"partition table: {spans[0][2]!r} overlaps the table itself")
    return problems, entries


def first_app_partition(entries):
    apps = [e for e in entries if e[1] == APP_TYPE and e[2] in APP_SUBTYPES]
    return apps[0] if apps else None


def validate_merged_firmware(image, base=ESP32_BOOTLOADER_OFFSET, chip_id=CHIP_ESP32):
    """Check MicroPython's merged firmware.bin, whose byte 0 is flashed at `base`."""
    problems, boot_summary, boot_end = validate_app_image(image, chip_id, "bootloader")
    table_at = PARTITION_TABLE_OFFSET - base
    if boot_end > table_at:
        problems.append(
            f"bootloader ends at flash 0x{base + boot_end:x}, past the partition table"
        )
    table_problems, entries = parse_partition_table(image[table_at : table_at + 0xC00])
    problems += table_problems
    app = first_app_partition(entries)
    if app is None:
        return problems + ["partition table: no factory/ota app partition"], boot_summary
    label, _t, _s, app_offset, app_size = app
    app_image = image[app_offset - base :]
    app_problems, app_summary, app_len = validate_app_image(app_image, chip_id, f"app '{label}'")
    problems += app_problems
    if app_len > app_size:
        problems.append(f"app is {app_len} bytes, partition {label!r} holds {app_size}")
    flash_size = FLASH_SIZES.get(image[3] >> 4)
    for label_, _t, _s, off, size in entries:
        if flash_size and off + size > flash_size:
            problems.append(
                f"partition {label_!r} ends at 0x{off + size:x}, past {flash_size >> 20} MB flash"
            )
    summary = f"{boot_summary}; {len(entries)} partitions; {app_summary} at 0x{app_offset:x}"
    return problems, summary


def esptool_image_info(path):
    """Run `esptool image-info` when esptool is installed; None when it is not."""
    beside = Path(sys.executable).parent / "esptool"  # in the venv make uses, not activated
    exe = (
        shutil.which("esptool")
        or shutil.which("esptool.py")
        or (str(beside) if beside.is_file() else None)
    )
    if exe is None:
        return None
    result = subprocess.run(
        [exe, "image-info", str(path)], capture_output=True, text=True, timeout=60
    )
    return result.returncode, result.stdout + result.stderr

"""UF2 images (Microsoft's USB flashing format, used by the RP2040 boot ROM).

Format facts from the UF2 specification (github.com/microsoft/uf2, README "File format"):
a file is a sequence of 512-byte blocks, each

    offset  field
    0       magicStart0  0x0A324655 ("UF2\\n")
    4       magicStart1  0x9E5D5157
    8       flags        0x2000 = familyID present, 0x0001 = not main flash
    12      targetAddr   where the payload goes
    16      payloadSize  bytes used in data[]
    20      blockNo      0-based, in file order
    24      numBlocks    total blocks in the file
    28      familyID     (or file size when the family flag is clear)
    32      data[476]
    508     magicEnd     0x0AB16F30

The RP2040 boot ROM only accepts 256-byte payloads at 256-byte aligned addresses
(RP2040 datasheet, section 2.8.4.2), so those are the defaults checked here.
"""

import struct

BLOCK_SIZE = 512
DATA_SIZE = 476
MAGIC_START0 = 0x0A324655
MAGIC_START1 = 0x9E5D5157
MAGIC_END = 0x0AB16F30
FLAG_NOT_MAIN_FLASH = 0x00000001
FLAG_FAMILY_ID_PRESENT = 0x00002000

FAMILY_RP2040 = 0xE48BFF56
RP2040_PAYLOAD = 256

_HEADER = struct.Struct("<8I")
_END = struct.Struct("<I")


def pack_uf2(binary, base_address, family_id=FAMILY_RP2040, payload_size=RP2040_PAYLOAD):
    """Encode a flat binary into UF2 blocks starting at `base_address`."""
    chunks = [binary[i : i + payload_size] for i in range(0, len(binary), payload_size)]
    blocks = []
    for number, chunk in enumerate(chunks):
        header = _HEADER.pack(
            MAGIC_START0,
            MAGIC_START1,
            FLAG_FAMILY_ID_PRESENT,
            base_address + number * payload_size,
            payload_size,
            number,
            len(chunks),
            family_id,
        )
        # The last chunk is padded so every block carries a full payload, as the ROM expects.
        data = chunk.ljust(payload_size, b"\0").ljust(DATA_SIZE, b"\0")
        blocks.append(header + data + _END.pack(MAGIC_END))
    return b"".join(blocks)


def validate_uf2(image, family_id, flash_start, flash_size, payload_size=RP2040_PAYLOAD):
    """Return (problems, summary) for a UF2 image; no problems means well formed."""
    problems = []
    if not image:
        return ["empty file"], ""
    if len(image) % BLOCK_SIZE:
        problems.append(f"size {len(image)} is not a multiple of {BLOCK_SIZE}-byte blocks")
    count = len(image) // BLOCK_SIZE
    flash_end = flash_start + flash_size
    seen_addresses = {}
    low, high = None, None
    for index in range(count):
        block = image[index * BLOCK_SIZE : (index + 1) * BLOCK_SIZE]
        (m0, m1, flags, addr, size, number, total, family) = _HEADER.unpack_from(block)
        (m_end,) = _END.unpack_from(block, BLOCK_SIZE - 4)
        where = f"block {index}"
        if m0 != MAGIC_START0 or m1 != MAGIC_START1:
            problems.append(f"{where}: bad start magic 0x{m0:08x} 0x{m1:08x}")
            continue  # nothing else in a block with a bad header can be trusted
        if m_end != MAGIC_END:
            problems.append(f"{where}: bad end magic 0x{m_end:08x}")
        if number != index:
            problems.append(f"{where}: blockNo is {number}")
        if total != count:
            problems.append(f"{where}: numBlocks is {total}, file has {count}")
        if not flags & FLAG_FAMILY_ID_PRESENT:
            problems.append(f"{where}: familyID flag not set")
        elif family != family_id:
            problems.append(f"{where}: family 0x{family:08x}, expected 0x{family_id:08x}")
        if flags & FLAG_NOT_MAIN_FLASH:
            continue  # the boot ROM skips these, so their address does not matter
        if size != payload_size:
            problems.append(f"{where}: payloadSize {size}, expected {payload_size}")
        if addr % payload_size:
            problems.append(f"{where}: address 0x{addr:08x} not {payload_size}-byte aligned")
        if not (flash_start <= addr and addr + size <= flash_end):
            problems.append(
                f"{where}: 0x{addr:08x}+{size} outside flash 0x{flash_start:08x}-0x{flash_end:08x}"
            )
        if addr in seen_addresses:
            problems.append(
                f"{where}: address 0x{addr:08x} already written by block {seen_addresses[addr]}"
            )
        seen_addresses[addr] = index
        low = addr if low is None else min(low, addr)
        high = addr + size if high is None else max(high, addr + size)
    summary = f"{count} blocks"
    if low is not None:
        summary += f", 0x{low:08x}-0x{high:08x}"
    return problems, summary

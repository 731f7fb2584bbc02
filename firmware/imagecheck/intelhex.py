"""Intel HEX files (the PYBV11 build's firmware.hex, used by ST-LINK tools).

Format facts from Intel's "Hexadecimal Object File Format Specification" rev. A:
each record is `:LLAAAATT<data>CC`; CC makes the sum of all record bytes 0 mod 256;
type 00 data, 01 end of file, 02/04 extended segment/linear address, 03/05 start address.
"""


def validate_intel_hex(text, flash_start, flash_size):
    """Return (problems, summary) for the text of a .hex file."""
    problems = []
    base = 0
    low, high = None, None
    saw_eof = False
    flash_end = flash_start + flash_size
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number}"
        if saw_eof:
            problems.append(f"{where}: data after the end-of-file record")
            break
        if not line.startswith(":"):
            problems.append(f"{where}: does not start with ':'")
            continue
        try:
            record = bytes.fromhex(line[1:].strip())
        except ValueError:
            problems.append(f"{where}: not hexadecimal")
            continue
        if len(record) < 5 or len(record) != record[0] + 5:
            problems.append(
                f"{where}: length byte {record[0] if record else 0} does not match the record"
            )
            continue
        if sum(record) & 0xFF:
            problems.append(f"{where}: checksum wrong")
            continue
        kind, address, data = record[3], int.from_bytes(record[1:3], "big"), record[4:-1]
        if kind == 0x00:
            start = base + address
            if not (flash_start <= start and start + len(data) <= flash_end):
                problems.append(f"{where}: 0x{start:08x}+{len(data)} outside flash")
            low = start if low is None else min(low, start)
            high = start + len(data) if high is None else max(high, start + len(data))
        elif kind == 0x01:
            saw_eof = True
        elif kind == 0x02:
            base = int.from_bytes(data, "big") << 4
        elif kind == 0x04:
            base = int.from_bytes(data, "big") << 16
        elif kind not in (0x03, 0x05):
            problems.append(f"{where}: unknown record type {kind:02x}")
    if not saw_eof:
        problems.append("no end-of-file record (truncated?)")
    if low is None:
        problems.append("no data records")
        return problems, ""
    return problems, f"0x{low:08x}-0x{high:08x}"

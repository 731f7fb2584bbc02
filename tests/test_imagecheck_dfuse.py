"""DfuSe (.dfu) and Intel HEX validators for PYBV11 images: valid passes, corruptions are
caught."""

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from firmware.imagecheck import dfuse, intelhex

FLASH = (0x08000000, 1 << 20)
# Like upstream's PYBV11 image: vectors+ISR at the flash start, the rest at sector 5.
ELEMENTS = [(0x08000000, b"\x11" * 1000), (0x08020000, bytes(range(256)) * 8)]


def _valid():
    return bytearray(dfuse.pack_dfuse(ELEMENTS))


def _problems(image):
    return dfuse.validate_dfuse(bytes(image), *FLASH)[0]


def _refresh_crc(image):
    struct.pack_into("<I", image, len(image) - 4, dfuse.dfu_crc(bytes(image[:-4])))
    return image


def test_valid_file_passes():
    problems, summary = dfuse.validate_dfuse(bytes(_valid()), *FLASH)
    assert problems == []
    assert summary == "2 element(s) 0x08000000+1000, 0x08020000+2048, device 0483:df11"


def test_layout_matches_the_dfuse_spec():
    image = bytes(_valid())
    assert image[:5] == b"DfuSe" and image[5] == 1
    assert struct.unpack_from("<I", image, 6)[0] == len(image) - 16
    assert image[11:17] == b"Target"
    assert image[-8:-5] == b"UFD" and image[-5] == 16
    assert struct.unpack_from("<HHH", image, len(image) - 14) == (0xDF11, 0x0483, 0x011A)
    # CRC-32 over all but the CRC field, with no final inversion.
    assert (
        struct.unpack_from("<I", image, len(image) - 4)[0] == zlib.crc32(image[:-4]) ^ 0xFFFFFFFF
    )


def test_flipped_payload_byte_breaks_the_crc():
    image = _valid()
    image[500] ^= 0x01
    assert len(_problems(image)) == 1 and _problems(image)[0].startswith("CRC 0x")


def test_wrong_crc_field():
    image = _valid()
    image[-1] ^= 0xFF
    assert _problems(image)[0].startswith("CRC")


@pytest.mark.parametrize(
    "position, data, expected",
    [
        (0, b"DfuSx", "prefix signature"),
        (-8, b"DFU", "suffix signature"),
        (-5, b"\x0f", "suffix signature"),  # bLength
        (-10, struct.pack("<H", 0x0100), "bcdDFU 0x0100"),
        (-12, struct.pack("<H", 0x2E8A), "device 2e8a:df11"),
        (6, struct.pack("<I", 5), "DFUImageSize 5"),
        (11, b"Targex", "signature b'Targex'"),
    ],
)
def test_each_structural_corruption_is_caught(position, data, expected):
    image = _valid()
    start = position % len(image)
    image[start : start + len(data)] = data
    problems = _problems(_refresh_crc(image))
    assert any(expected in p for p in problems), problems


def test_element_outside_flash_is_caught():
    image = dfuse.pack_dfuse([(0x20000000, b"ram!")])
    assert any("0x20000000+4 outside flash" in p for p in _problems(image))


def test_element_past_the_end_of_flash_is_caught():
    image = dfuse.pack_dfuse([(0x080FFF00, b"\0" * 512)])
    assert any("outside flash" in p for p in _problems(image))


def test_overlapping_elements_are_caught():
    image = dfuse.pack_dfuse([(0x08000000, b"\0" * 64), (0x08000020, b"\0" * 64)])
    assert any("overlaps 0x08000000" in p for p in _problems(image))


def test_element_size_running_past_its_target_is_caught():
    image = _valid()
    first_element = 11 + 274
    struct.pack_into("<I", image, first_element + 4, 100000)
    assert any("run past its target" in p for p in _problems(_refresh_crc(image)))


def test_truncated_file_is_caught():
    image = bytes(_valid())
    assert _problems(image[:20])[0].startswith("only 20 bytes")
    assert _problems(image[:-1])  # suffix misread, CRC and signature wrong


@pytest.mark.skipif(
    shutil.which("dfu-suffix") is None,
    reason="dfu-suffix not installed (apt-get install dfu-util)",
)
def test_dfu_util_accepts_our_file_and_rejects_a_corrupt_one(tmp_path):
    """dfu-util's own suffix checker is an independent implementation of the CRC rule."""
    good, bad = tmp_path / "good.dfu", tmp_path / "bad.dfu"
    good.write_bytes(bytes(_valid()))
    corrupt = _valid()
    corrupt[300] ^= 0x80
    bad.write_bytes(bytes(corrupt))
    ok = subprocess.run(["dfu-suffix", "-c", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "Vendor ID:\t0x0483" in ok.stdout
    failed = subprocess.run(["dfu-suffix", "-c", str(bad)], capture_output=True, text=True)
    assert failed.returncode != 0 and "CRC does not match" in failed.stderr


def test_writer_agrees_with_micropythons_dfu_py(tmp_path):
    """tools/dfu.py builds PYBV11's firmware.dfu upstream: its output must pass and equal ours."""
    tools = next((t for t in _tool_dirs() if (t / "dfu.py").is_file()), None)
    if tools is None:
        pytest.skip("no MicroPython tree with tools/dfu.py (set MPY_DIR)")
    args = []
    for n, (addr, data) in enumerate(ELEMENTS):
        (tmp_path / f"part{n}.bin").write_bytes(data)
        args += ["-b", f"0x{addr:08x}:{tmp_path / f'part{n}.bin'}"]
    subprocess.run(
        [sys.executable, str(tools / "dfu.py"), *args, str(tmp_path / "out.dfu")],
        check=True,
        capture_output=True,
    )
    theirs = (tmp_path / "out.dfu").read_bytes()
    assert _problems(theirs) == []
    assert theirs == bytes(_valid())


def _tool_dirs():
    roots = [os.environ.get("MPY_DIR", "")]
    roots += [str(p) for p in Path(__file__).resolve().parents[1].glob("build/*micropython*")]
    return [Path(r) / "tools" for r in roots if r]


# Intel HEX (firmware.hex beside firmware.dfu)


def _hex_record(kind, address, data):
    record = bytes([len(data)]) + address.to_bytes(2, "big") + bytes([kind]) + data
    return ":" + (record + bytes([-sum(record) & 0xFF])).hex().upper()


def _valid_hex():
    return (
        "\n".join(
            [
                _hex_record(4, 0, b"\x08\x00"),
                _hex_record(0, 0x0000, bytes(range(16))),
                _hex_record(0, 0x0010, b"\xff" * 16),
                _hex_record(5, 0, b"\x08\x00\x01\x01"),
                _hex_record(1, 0, b""),
            ]
        )
        + "\n"
    )


def test_valid_hex_passes():
    assert intelhex.validate_intel_hex(_valid_hex(), *FLASH) == ([], "0x08000000-0x08000020")


def test_hex_bad_checksum_is_caught():
    lines = _valid_hex().splitlines()
    lines[1] = lines[1][:-2] + ("00" if lines[1][-2:] != "00" else "01")
    assert intelhex.validate_intel_hex("\n".join(lines), *FLASH)[0] == ["line 2: checksum wrong"]


def test_hex_missing_eof_and_wrong_address_are_caught():
    lines = _valid_hex().splitlines()
    text = "\n".join([_hex_record(4, 0, b"\x20\x00")] + lines[1:-1])
    problems = intelhex.validate_intel_hex(text, *FLASH)[0]
    assert "no end-of-file record (truncated?)" in problems
    assert any("0x20000000+16 outside flash" in p for p in problems)

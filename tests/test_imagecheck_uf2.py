"""UF2 validator: a well-formed RP2040 image passes, and each kind of corruption is caught."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from firmware.imagecheck import uf2

FLASH = (0x10000000, 2 << 20)
PAYLOAD = bytes(range(256)) * 11 + b"tail"  # 12 blocks, the last one partial


def _valid():
    return bytearray(uf2.pack_uf2(PAYLOAD, FLASH[0]))


def _set_field(image, block, offset, value):
    struct.pack_into("<I", image, block * uf2.BLOCK_SIZE + offset, value)


def _problems(image):
    problems, _summary = uf2.validate_uf2(bytes(image), uf2.FAMILY_RP2040, *FLASH)
    return problems


def test_valid_image_passes_and_reports_its_range():
    problems, summary = uf2.validate_uf2(bytes(_valid()), uf2.FAMILY_RP2040, *FLASH)
    assert problems == []
    assert summary == "12 blocks, 0x10000000-0x10000c00"


def test_block_layout_matches_the_spec():
    image = _valid()
    assert len(image) == 12 * 512
    m0, m1, flags, addr, size, number, total, family = struct.unpack_from("<8I", image, 512 * 11)
    assert (m0, m1) == (0x0A324655, 0x9E5D5157)
    assert struct.unpack_from("<I", image, 512 * 12 - 4)[0] == 0x0AB16F30
    assert flags & 0x2000 and family == 0xE48BFF56
    assert (addr, size, number, total) == (0x10000B00, 256, 11, 12)
    assert image[512 * 11 + 32 : 512 * 11 + 36] == b"tail"


@pytest.mark.parametrize(
    "offset, value, expected",
    [
        (0, 0x12345678, "bad start magic"),
        (4, 0, "bad start magic"),
        (508, 0, "bad end magic"),
        (28, 0x00FF6919, "family 0x00ff6919, expected 0xe48bff56"),  # STM32F4 family id
        (8, 0, "familyID flag not set"),
        (12, 0x20000000, "outside flash"),  # RAM, not flash
        (12, 0x101FFF00 + 0x100, "outside flash"),  # one block past the 2 MiB end
        (12, 0x10000080, "not 256-byte aligned"),
        (16, 476, "payloadSize 476, expected 256"),
        (20, 7, "blockNo is 7"),
        (24, 13, "numBlocks is 13, file has 12"),
    ],
)
def test_each_header_corruption_is_caught(offset, value, expected):
    image = _valid()
    _set_field(image, 3, offset, value)
    problems = _problems(image)
    assert any(expected in p and p.startswith("block 3") for p in problems), problems


def test_truncated_file_is_caught():
    assert "not a multiple of 512" in _problems(_valid()[:-100])[0]


def test_missing_last_block_breaks_numbering():
    problems = _problems(_valid()[:-512])
    assert any("numBlocks is 12, file has 11" in p for p in problems)


def test_duplicate_address_is_caught():
    image = _valid()
    _set_field(image, 5, 12, FLASH[0] + 4 * 256)
    assert any("already written by block 4" in p for p in _problems(image))


def test_not_main_flash_blocks_are_exempt_from_address_checks():
    image = _valid()
    _set_field(image, 2, 8, uf2.FLAG_FAMILY_ID_PRESENT | uf2.FLAG_NOT_MAIN_FLASH)
    _set_field(image, 2, 12, 0x20000000)
    assert _problems(image) == []


def test_empty_file():
    assert _problems(b"") == ["empty file"]


def _micropython_tools():
    candidates = [os.environ.get("MPY_DIR", "")]
    candidates += [str(p) for p in Path(__file__).resolve().parents[1].glob("build/*micropython*")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "tools" / "uf2conv.py").is_file():
            return Path(candidate) / "tools"
    return None


def test_writer_agrees_with_micropythons_uf2conv(tmp_path):
    """uf2conv.py is an independent implementation: its output must pass and equal ours."""
    tools = _micropython_tools()
    if tools is None:
        pytest.skip("no MicroPython tree with tools/uf2conv.py (set MPY_DIR)")
    (tmp_path / "in.bin").write_bytes(PAYLOAD)
    subprocess.run(
        [
            sys.executable,
            str(tools / "uf2conv.py"),
            "-b",
            "0x10000000",
            "-f",
            "0xe48bff56",
            "-c",
            "-o",
            str(tmp_path / "out.uf2"),
            str(tmp_path / "in.bin"),
        ],
        check=True,
        capture_output=True,
    )
    theirs = (tmp_path / "out.uf2").read_bytes()
    assert _problems(theirs) == []
    assert theirs == bytes(_valid())

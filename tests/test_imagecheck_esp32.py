"""ESP32 image validators: app/bootloader images, partition table, merged firmware.bin."""

import struct

import pytest

from firmware.imagecheck import check_board, esp32

# esp_app_desc_t opens the first DROM segment of a real app; esptool image-info reads it.
APP_DESC = struct.pack("<I", 0xABCD5432).ljust(256, b"\0")
APP_SEGMENTS = [(0x3F400020, APP_DESC + b"rodata" * 50), (0x40080000, bytes(range(256)) * 6)]
BOOT_SEGMENTS = [(0x3FFF0030, b"bootdata" * 8), (0x40078000, b"\x36\x41\x00" * 100)]
# MicroPython's ESP32_GENERIC layout (partitions-4MiB.csv).
PARTITIONS = [
    ("nvs", 0x01, 0x02, 0x9000, 0x6000),
    ("phy_init", 0x01, 0x01, 0xF000, 0x1000),
    ("factory", 0x00, 0x00, 0x10000, 0x1F0000),
    ("vfs", 0x01, 0x81, 0x200000, 0x200000),
]


def _app(**kwargs):
    return bytearray(esp32.pack_app_image(APP_SEGMENTS, entry=0x40080010, **kwargs))


def _merged(app=None, partitions=PARTITIONS):
    boot = esp32.pack_app_image(BOOT_SEGMENTS, entry=0x40078004)
    out = bytearray(boot.ljust(0x8000 - 0x1000, b"\xff"))
    out += esp32.pack_partition_table(partitions)
    out = out.ljust(0x10000 - 0x1000, b"\xff")
    return out + (app if app is not None else _app())


def _app_problems(image, chip_id=esp32.CHIP_ESP32):
    return esp32.validate_app_image(bytes(image), chip_id, "app")[0]


def test_valid_app_image_passes():
    problems, summary, used = esp32.validate_app_image(bytes(_app()), what="app")
    assert problems == []
    assert summary == "app: 2 segments, entry 0x40080010, chip id 0"
    assert used == len(_app())


def test_checksum_sits_at_the_end_of_a_16_byte_block():
    image = _app(hash_appended=False)
    assert len(image) % 16 == 0
    expected = 0xEF
    for _addr, data in APP_SEGMENTS:
        for byte in data:
            expected ^= byte
    assert image[-1] == expected


@pytest.mark.parametrize(
    "offset, value, expected",
    [
        (0, 0xE8, "magic 0xe8, expected 0xe9"),
        (1, 0, "0 segments"),
        (1, 17, "17 segments"),
        (3, 0x70, "unknown flash size code 7"),
        (12, 9, "built for chip id 9, expected 0"),  # an ESP32-S3 image
    ],
)
def test_header_corruptions_are_caught(offset, value, expected):
    image = _app()
    image[offset] = value
    assert any(expected in p for p in _app_problems(image)), _app_problems(image)


def test_flipped_segment_byte_breaks_checksum_and_hash():
    image = _app()
    image[100] ^= 0x04
    problems = _app_problems(image)
    assert any(p.startswith("app: checksum 0x") for p in problems)
    assert "app: appended SHA-256 does not match" in problems


def test_entry_outside_every_segment_is_caught():
    image = _app()
    struct.pack_into("<I", image, 4, 0x400C0000)
    assert "app: entry 0x400c0000 is in no segment" in _app_problems(image)


def test_segment_longer_than_the_file_is_caught():
    image = _app()
    struct.pack_into("<I", image, 24 + 4, 10_000_000)
    assert any("segment 0 (10000000 bytes) past the end" in p for p in _app_problems(image))


def test_truncated_app_is_caught():
    assert _app_problems(_app()[:-40])


def test_partition_table_round_trip_and_md5():
    table = esp32.pack_partition_table(PARTITIONS)
    assert esp32.parse_partition_table(table) == ([], PARTITIONS)
    broken = bytearray(table)
    broken[40] ^= 1  # inside phy_init's entry, covered by the MD5 entry
    assert (
        "partition table: MD5 does not match its entries" in esp32.parse_partition_table(broken)[0]
    )


def test_overlapping_partitions_and_missing_app_are_caught():
    overlapping = PARTITIONS[:2] + [("factory", 0, 0, 0xF800, 0x1000)]
    assert any(
        "overlap" in p
        for p in esp32.parse_partition_table(esp32.pack_partition_table(overlapping))[0]
    )
    problems, _ = esp32.validate_merged_firmware(bytes(_merged(partitions=PARTITIONS[:2])))
    assert "partition table: no factory/ota app partition" in problems


def test_valid_merged_firmware_passes():
    problems, summary = esp32.validate_merged_firmware(bytes(_merged()))
    assert problems == []
    assert "4 partitions" in summary and "app 'factory'" in summary and "at 0x10000" in summary


def test_corrupt_app_inside_merged_firmware_is_caught():
    image = _merged()
    image[0xF000 + 200] ^= 0xFF
    problems, _ = esp32.validate_merged_firmware(bytes(image))
    assert any(p.startswith("app 'factory': checksum") for p in problems)


def test_app_bigger_than_its_partition_is_caught():
    small = [p if p[0] != "factory" else ("factory", 0, 0, 0x10000, 0x400) for p in PARTITIONS]
    problems, _ = esp32.validate_merged_firmware(bytes(_merged(partitions=small)))
    assert any("partition 'factory' holds 1024" in p for p in problems)


def test_partition_past_the_flash_size_is_caught():
    app = _app(flash_size_code=1)  # header says 2 MB, table goes to 4 MB
    image = _merged(app=app)
    image[3] = 0x10  # the bootloader's header decides the flash size
    problems, _ = esp32.validate_merged_firmware(bytes(image))
    assert "partition 'vfs' ends at 0x400000, past 2 MB flash" in problems


def test_misplaced_bootloader_is_caught():
    image = b"\xff" * 0x1000 + bytes(_merged())  # merged for 0x0, flashed as if at 0x1000
    problems, _ = esp32.validate_merged_firmware(image)
    assert problems and "magic 0xff" in problems[0]


def test_esptool_image_info_agrees(tmp_path):
    """esptool parses the same format independently: our image is valid to it, a flipped byte
    is not."""
    good = tmp_path / "micropython.bin"
    good.write_bytes(bytes(_app()))
    outcome = esp32.esptool_image_info(good)
    if outcome is None:
        pytest.skip("esptool not installed (pip install esptool)")
    code, text = outcome
    assert code == 0 and "Checksum: 0x" in text and "(valid)" in text and "(invalid" not in text
    bad = _app()
    bad[300] ^= 0x10
    good.write_bytes(bytes(bad))
    _code, text = esp32.esptool_image_info(good)
    assert "(invalid - calculated" in text


def test_board_check_runs_esptool_on_the_app(tmp_path):
    import hashlib
    import json

    board = tmp_path / "ESP32_GENERIC"
    board.mkdir()
    files = {"firmware.bin": bytes(_merged()), "micropython.bin": bytes(_app())}
    for name, data in files.items():
        (board / name).write_bytes(data)
    manifest = {
        "board": "ESP32_GENERIC",
        "port": "esp32",
        "micropython": {"version": "1.25.0", "source": "test"},
        "asyncio_version": "0.1.0",
        "git_commit": "0" * 40,
        "build_id": "b1",
        "files": {
            n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()
        },
    }
    (board / "manifest.json").write_text(json.dumps(manifest))
    results = {r.name: r for r in check_board(board, boards_root=None)}
    if results["micropython.bin (esptool image-info)"].summary.startswith("skipped"):
        pytest.skip("esptool not installed (pip install esptool)")
    assert all(r.ok for r in results.values()), [r.line() for r in results.values()]
    assert results["micropython.bin (esptool image-info)"].summary == "valid"

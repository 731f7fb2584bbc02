"""The post-flash identity check, run for real against the QEMU image over its pty."""

import json

import pytest

from firmware import boards, deploy
from firmware.imagecheck import DEFAULT_IMAGES_ROOT


def _qemu_images():
    found = []
    for manifest_path in sorted(DEFAULT_IMAGES_ROOT.glob("QEMU_MPS2_AN385*/manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("asyncio_version") and (manifest_path.parent / "firmware.elf").is_file():
            found.append((manifest_path.parent, manifest))
    return found


@pytest.fixture(scope="module")
def qemu_board():
    images = _qemu_images()
    if not images:
        pytest.skip("no QEMU image with our asyncio built (make firmware BOARD=QEMU_MPS2_AN385)")
    from firmware.emulator import start_qemu

    folder, manifest = images[0]
    with start_qemu(boards.get(manifest["board"]), folder / "firmware.elf") as emulated:
        yield emulated.port, manifest


def test_identity_of_the_running_image_matches_its_manifest(qemu_board):
    port, manifest = qemu_board
    assert deploy.check_identity(port, manifest) == (
        manifest["asyncio_version"],
        manifest["build_id"],
    )


def test_a_different_build_is_reported(qemu_board):
    port, manifest = qemu_board
    stale = dict(manifest, build_id="0000000-19700101T000000Z")
    with pytest.raises(deploy.VerifyFailed) as info:
        deploy.check_identity(port, stale)
    assert f"build {manifest['build_id']!r}" in str(info.value)
    assert "but the image flashed is asyncio" in str(info.value)

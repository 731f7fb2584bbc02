"""--flash: put the built image on every board before the suite runs, and make sure each
board then answers with that very build (asyncio version and build id, as `make deploy`
checks), so a suite never passes or fails on a stale image.

A device on a port is flashed with firmware.deploy; an emulated board's "flash" is
booting the image, whose manifest.json (beside it) says which build it is. The check
itself runs in the runner's first session with the board (BoardRunner.connect).
"""

import json

from firmware import deploy
from firmware.paths import IMAGES_DIR

from . import errors


def manifest_beside(image, label):
    """The build record of an image file (its folder's manifest.json)."""
    path = image.parent / "manifest.json"
    if not path.is_file():
        raise errors.FlashError(
            f"{label}: no manifest.json beside {image}, so its build cannot be checked "
            f"(images made by `make firmware` have one)"
        )
    try:
        return json.loads(path.read_text())
    except ValueError as e:
        raise errors.FlashError(f"{label}: {path} is not valid JSON: {e}") from None


def flash_on_port(url, board, label, images_dir=IMAGES_DIR, out=print):
    """Flash `board`'s image onto the device at url; its manifest. deploy verifies a local
    port itself (it waits for the USB device to come back); a network port (rfc2217://,
    a farm place) is checked by the runner once it connects."""
    if not board:
        raise errors.UsageError(f"--flash on {label} needs the board's name, e.g. --flash PYBV11")
    flavour = None
    if "-" in board:
        board, flavour = board.split("-", 1)
    out(f"{label}: flashing {board}{'-' + flavour if flavour else ''} from {images_dir}")
    try:
        return deploy.deploy(
            board,
            port=url,
            images_dir=images_dir,
            verify="://" not in url,
            flavour=flavour,
            out=lambda line: out(f"  {line}"),
        )
    except errors.FirmwareError as e:
        raise errors.FlashError(f"{label}: flashing {board} failed: {_one_line(e)}") from None


def flash_all(targets, board=None, images_dir=IMAGES_DIR, out=print):
    """Flash every target (one after another: flashing tools share USB buses and hubs)."""
    for target in targets:
        target.expected_build = target.flash(board, images_dir=images_dir, out=out)


def check_build(session, label, manifest):
    """WrongImage unless the board in `session` (raw REPL) runs the build `manifest` records."""
    from firmware.deploy import device

    try:
        deploy.compare_identity(label, device.identity_in(session, label), manifest)
    except deploy.VerifyFailed as e:
        raise errors.WrongImage(_one_line(e)) from None


def _one_line(error):
    return str(error).splitlines()[0]

"""Flash a built image onto a board in one command, then check the board runs that very image.

Public surface:
    deploy(board, port=None, dry_run=False, images_dir=IMAGES_DIR, baud=None, erase=False,
           verify=True, flavour=None)
    check_identity(port, manifest)  board on `port` runs the image manifest.json describes,
                                    or VerifyFailed
    main(argv=None) -> int        `python3 -m firmware.deploy --board B [--port P] [--dry-run]`

One module per flashing method: esp32 (esptool), pyboard (dfu-util), rp2 (UF2 drive or
picotool). Each gets a DeployContext and returns the USB ids to wait for after the reset.
A dry run prints every command and serial/file step without touching tools or hardware.
"""

import argparse
import json
import sys
from pathlib import Path

from .. import boards
from ..errors import FirmwareError, ImageMissing
from ..imagecheck import check_board, require_valid
from ..paths import IMAGES_DIR
from . import device, esp32, ports, pyboard, rp2
from .commands import Runner
from .errors import (
    AmbiguousPort,
    FlashFailed,
    FlashToolMissing,
    PortNotFound,
    VerifyFailed,
    WrongChip,
)

__all__ = [
    "AmbiguousPort",
    "FlashFailed",
    "FlashToolMissing",
    "PortNotFound",
    "VerifyFailed",
    "WrongChip",
    "check_identity",
    "deploy",
    "main",
]

METHODS = {"esp32": esp32, "stm32": pyboard, "rp2": rp2}
PLACEHOLDER_PORT = "PORT"


class DeployContext:
    """What a flashing method needs: the board, its images, the runner, the chosen port."""

    def __init__(self, board, board_dir, runner, port=None, baud=None, erase=False):
        self.board = board
        self.board_dir = board_dir
        self.runner = runner
        self.requested_port = port
        self.baud = baud
        self.erase = erase
        self.serial_number = None

    def image(self, name):
        path = self.board_dir / name
        if not path.is_file():
            message = f"{path} not found: build it first: make firmware BOARD={self.board.name}"
            if not self.runner.dry_run:
                raise ImageMissing(message)
            self.runner.step("note: " + message)
        return path

    def pick_port(self, usb_ids, optional=False):
        """The requested port, else the one port with a matching USB id.

        optional: return None instead of failing when no candidate is plugged in.
        A dry run never fails here: it shows PORT when it cannot tell.
        """
        if self.requested_port:
            self.serial_number = _serial_number_of(self.requested_port)
            return self.requested_port
        try:
            found = ports.choose(self.board.name, usb_ids, ports.list_serial_ports())
        except (PortNotFound, AmbiguousPort, ImportError):
            if self.runner.dry_run:
                return PLACEHOLDER_PORT
            if optional and not ports.candidates(usb_ids, ports.list_serial_ports()):
                return None
            raise
        self.serial_number = found[3]
        return found[0]


def _serial_number_of(device):
    try:
        return next((p[3] for p in ports.list_serial_ports() if p[0] == device), None)
    except ImportError:
        return None


def _load_manifest(board_dir):
    path = board_dir / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else None


def deploy(
    board,
    port=None,
    dry_run=False,
    images_dir=IMAGES_DIR,
    baud=None,
    erase=False,
    verify=True,
    flavour=None,
    out=print,
):
    """Flash `board`'s image from images_dir/<board>[-<flavour>]/ and check the board answers
    with it.

    flavour: a build variant's folder suffix, e.g. "pyonly" for the ASYNCIO_C=0 image.
    """
    spec = boards.get(board)
    method = METHODS.get(spec.port)
    if method is None or _made_for_an_emulator(spec):
        flashable = ", ".join(
            b.name
            for b in boards.all_boards().values()
            if b.port in METHODS and not _made_for_an_emulator(b)
        )
        raise FirmwareError(
            f"{board} is not flashed: it runs on this machine (port {spec.port})",
            hint=f"make run BOARD={board}; boards that flash: {flashable}",
        )
    runner = Runner(dry_run=dry_run, out=out)
    board_dir = Path(images_dir) / (f"{spec.name}-{flavour}" if flavour else spec.name)
    if dry_run:
        out(f"# dry run: deploy {spec.name} ({spec.port}) from {board_dir}; nothing is run")
        _report_image_check(board_dir, runner)
    else:
        if not (board_dir / "manifest.json").is_file():
            raise ImageMissing(
                f"no image for {spec.name} in {board_dir}: "
                f"build it first: make firmware BOARD={spec.name}"
            )
        require_valid(board_dir)
    manifest = _load_manifest(board_dir)
    context = DeployContext(spec, board_dir, runner, port=port, baud=baud, erase=erase)
    usb_ids, serial_number = method.flash(context)
    if verify:
        _verify(runner, usb_ids, serial_number, manifest)
    return manifest


def _report_image_check(board_dir, runner):
    if not (board_dir / "manifest.json").is_file():
        return  # the method's image() call says it is not built
    failed = [r for r in check_board(board_dir) if not r.ok]
    runner.step("image check: " + ("ok" if not failed else failed[0].line()))


def _verify(runner, usb_ids, serial_number, manifest):
    expected_version = (
        manifest.get("asyncio_version") if manifest else "<asyncio_version from manifest.json>"
    )
    expected_build = manifest.get("build_id") if manifest else "<build_id from manifest.json>"
    ids = ", ".join(f"{v:04x}:{p:04x}" for v, p in usb_ids)
    runner.step(f"wait for the board's serial port ({ids}) to come back")
    runner.step(
        f"raw REPL: expect asyncio.__version__ == {expected_version!r}, "
        f"_buildinfo.build_id == {expected_build!r}"
    )
    if runner.dry_run:
        return
    port = ports.wait_for_port(usb_ids, serial_number)
    check_identity(port, manifest)
    runner.out(f"verified: {port} runs asyncio {expected_version} build {expected_build}")


def check_identity(port, manifest):
    """Raise VerifyFailed unless the board on `port` runs the image `manifest` describes."""
    expected_version, expected_build = manifest.get("asyncio_version"), manifest.get("build_id")
    version, build_id = device.read_identity(port)
    if (version, build_id) != (expected_version, expected_build):
        raise VerifyFailed(
            f"{port} answers asyncio {version!r} build {build_id!r}, "
            f"but the image flashed is asyncio {expected_version!r} build {expected_build!r}",
            hint="the flash did not take: retry, or put the board in its bootloader by hand",
        )
    return version, build_id


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m firmware.deploy", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--board", required=True)
    parser.add_argument(
        "--port", help="serial port (default: the one board with a matching USB id)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print every command; run nothing")
    parser.add_argument("--baud", type=int, help="esptool baud rate (default from board.json)")
    parser.add_argument("--erase", action="store_true", help="ESP32: erase the whole flash first")
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the post-flash identity check"
    )
    parser.add_argument("--flavour", help="image variant folder suffix, e.g. pyonly (ASYNCIO_C=0)")
    parser.add_argument("--images-dir", default=str(IMAGES_DIR))
    args = parser.parse_args(argv)
    try:
        deploy(
            args.board,
            port=args.port,
            dry_run=args.dry_run,
            images_dir=args.images_dir,
            baud=args.baud,
            erase=args.erase,
            verify=not args.no_verify,
            flavour=args.flavour,
        )
    except FirmwareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _made_for_an_emulator(spec):
    # PYBV11_QEMU is stm32 and ESP32_GENERIC_QEMU esp32, but their images are made for
    # QEMU; rp2040js runs RPI_PICO's own image, which a Pico is flashed with.
    return spec.runs_here not in (False, None, "rp2040js")

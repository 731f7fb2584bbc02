"""Image checks that need no hardware: run on whatever is under firmware/images/<BOARD>/.

Public surface:
    check_images(images_root, boards_root=None) -> [CheckResult]   one result per file checked
    check_board(board_dir, boards_root=None)    -> [CheckResult]
    run(images_root, board=None) -> int          prints one line per file, 0 when all pass
    main(argv=None) -> int                       run() from a command line (2: bad folder)
    ImageCheckFailed                             raised by require_valid() for deploy

The format modules (uf2, dfuse, esp32, intelhex, elf) each hold both a writer (pack_*)
and a validator (validate_*), so tests can build valid images and corrupt them.
"""

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import boards
from ..errors import FirmwareError
from ..paths import BOARDS_DIR, IMAGES_DIR
from . import esp32, manifest, rules

__all__ = [
    "CheckResult",
    "ImageCheckFailed",
    "add_arguments",
    "check_board",
    "check_images",
    "main",
    "require_valid",
    "run",
]

DEFAULT_IMAGES_ROOT = IMAGES_DIR
DEFAULT_BOARDS_ROOT = BOARDS_DIR


class ImageCheckFailed(FirmwareError):
    """A built image is malformed: flashing it would brick or confuse the board."""


@dataclass
class CheckResult:
    board: str
    name: str
    problems: list = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self):
        return not self.problems

    def line(self):
        if self.ok:
            return f"ok   {self.board}/{self.name}: {self.summary}"
        return f"FAIL {self.board}/{self.name}: " + "; ".join(self.problems)


def check_board(board_dir, boards_root=DEFAULT_BOARDS_ROOT):
    board_dir = Path(board_dir)
    board = board_dir.name
    problems, facts = manifest.load_manifest(board_dir)
    results = [CheckResult(board, "manifest.json", problems, "")]
    if facts is None:
        # The images are still checked: a lost manifest must not let a malformed one pass.
        known = _known_board(board, boards_root)
        port = known.port if known else None
        names = [p.name for p in board_dir.iterdir() if p.is_file() and p.name != "manifest.json"]
        for name, file_port, validate, required in rules.file_rules(names, port):
            results += _check_file(
                board,
                board_dir,
                name,
                file_port,
                validate,
                required,
                rules.flash_region(
                    known.name if known else board,
                    file_port,
                    Path(boards_root) if boards_root else None,
                ),
            )
        return results
    results[0].problems += manifest.validate_listed_files(board_dir, facts)
    results[0].summary = (
        f"asyncio {facts.get('asyncio_version')}, "
        f"MicroPython {facts['micropython'].get('version')}, "
        f"build {facts.get('build_id')}"
        if isinstance(facts.get("micropython"), dict)
        else "fields present"
    )
    port = facts.get("port")
    if port not in rules.PORT_FILES:
        results[0].problems.append(f"unknown port {port!r} (known: {', '.join(rules.PORT_FILES)})")
        return results
    flash = rules.flash_region(
        facts.get("board", board), port, Path(boards_root) if boards_root else None
    )
    for name, validate, required in rules.PORT_FILES[port]:
        results += _check_file(board, board_dir, name, port, validate, required, flash)
    return results


def _check_file(board, board_dir, name, port, validate, required, flash):
    path = board_dir / name
    if not path.is_file():
        return (
            [CheckResult(board, name, [f"missing (port {port} always produces it)"])]
            if required
            else []
        )
    problems, summary = validate(path.read_bytes(), flash)
    results = [CheckResult(board, name, list(problems), summary)]
    if port == "esp32" and name in ("micropython.bin", "bootloader.bin"):
        results.append(_esptool_cross_check(board, path))
    return results


def _known_board(folder_name, boards_root):
    """The board a folder without a manifest is named for (<BOARD> or <BOARD>-<flavour>),
    or None."""
    registries = (
        [boards.all_boards(boards_root)] if boards_root and Path(boards_root).is_dir() else []
    )
    registries.append(boards.all_boards())
    for registry in registries:
        for name in (folder_name, folder_name.split("-")[0]):
            if name in registry:
                return registry[name]
    return None


def _esptool_cross_check(board, path):
    """esptool reads the same format independently; an extra opinion where it is installed."""
    name = f"{path.name} (esptool image-info)"
    outcome = esp32.esptool_image_info(path)
    if outcome is None:
        return CheckResult(board, name, [], "skipped: esptool not installed (pip install esptool)")
    code, text = outcome
    # image-info exits 0 even for a bad checksum or hash; it says "(invalid" instead.
    bad = [line.strip() for line in text.splitlines() if "(invalid" in line]
    if code != 0:
        bad.append(
            f"esptool exited {code}: {text.strip().splitlines()[-1] if text.strip() else ''}"
        )
    return CheckResult(board, name, bad, "valid")


def check_images(images_root=DEFAULT_IMAGES_ROOT, boards_root=DEFAULT_BOARDS_ROOT, board=None):
    """Check every board folder under images_root (only `board` and its <board>-<flavour>
    folders when given); an absent or empty root gives []."""
    images_root = Path(images_root)
    if not images_root.is_dir():
        return []
    results = []
    for board_dir in sorted(p for p in images_root.iterdir() if p.is_dir()):
        if board is None or board_dir.name == board or board_dir.name.startswith(board + "-"):
            results += check_board(board_dir, boards_root)
    return results


def _is_board_folder(folder):
    """A folder holding a board's images itself (manifest.json or an image file), not board
    folders."""
    names = {p.name for p in folder.iterdir() if p.is_file()}
    return "manifest.json" in names or bool(rules.file_rules(names))


def require_valid(board_dir, boards_root=DEFAULT_BOARDS_ROOT):
    """Raise ImageCheckFailed unless every check of one board passes (deploy calls this)."""
    failed = [r for r in check_board(board_dir, boards_root) if not r.ok]
    if failed:
        raise ImageCheckFailed(
            f"{Path(board_dir).name}: image check failed: {failed[0].line()[5:]}",
            hint="rebuild it: make firmware BOARD=" + Path(board_dir).name,
        )


def add_arguments(add):
    """The checker's arguments (add = a parser's add_argument): `python3 -m firmware check`
    takes the same."""
    add(
        "images_root",
        nargs="?",
        help="a folder of board folders (default: firmware/images), or one board's folder",
    )
    add("--board", help="only this board's folders; then finding none is an error")


def run(images_root=None, board=None):
    """Print one line per file checked; 0 when all pass. A folder given that is not there
    is a FirmwareError (one line); the default one not there yet means nothing is built."""
    root = Path(images_root or DEFAULT_IMAGES_ROOT)
    if images_root is not None and not root.exists():
        raise FirmwareError(
            f"{images_root}: no such folder (give a folder of board folders, or one board's)"
        )
    if root.exists() and not root.is_dir():
        raise FirmwareError(f"{images_root}: not a folder (give the board folder holding it)")
    if root.is_dir() and _is_board_folder(root):
        if board and root.name != board and not root.name.startswith(board + "-"):
            raise FirmwareError(f"{images_root} holds {root.name}'s images, not {board}'s")
        results = check_board(root)
    else:
        results = check_images(root, board=board)  # [] when firmware/images is not made yet
    if not results:
        what = f"no images for {board}" if board else "no images"
        print(f"imagecheck: {what} under {root} (build one: make firmware BOARD={board or '...'})")
        return 1 if board else 0
    for result in results:
        print(result.line())
    failed = sum(not r.ok for r in results)
    # Worded unlike a test runner's closing line: `make test` ends with this command.
    print(f"imagecheck: {len(results)} files checked, {failed} malformed")
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m firmware check", description=__doc__.splitlines()[0]
    )
    add_arguments(parser.add_argument)
    args = parser.parse_args(argv)
    try:
        return run(args.images_root, args.board)
    except FirmwareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

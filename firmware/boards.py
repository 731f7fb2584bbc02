"""The board registry: one folder under boards/ per board, described by board.json."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FirmwareError, UnknownBoard
from .paths import BOARDS_DIR

DEFAULT_BOARD = "QEMU_MPS2_AN385"


@dataclass(frozen=True)
class Board:
    """One board.json (on top of its parent's). Its "flash" block is the one place for the
    board's flashing facts (method, chip, offset, baud, USB id, drive label, ...) and for
    "region": {"start", "size"}, where its image lives in memory (the image checks use it)."""

    name: str
    folder: Path
    port: str
    upstream_board: str
    description: str = ""
    images: tuple = ()
    submodules: tuple = ()
    optional_submodules: dict = field(default_factory=dict)
    upstream_files: tuple = ()
    inherit: str = None
    asyncio: str = "ours"  # "stock": upstream's asyncio, the benchmark baseline
    runs_here: object = False  # "native", "qemu", "rp2040js" or False (needs hardware)
    qemu: dict = None
    rp2040js: dict = (
        None  # the emulated board's wiring: {"wires": [[out, in]], "uart_loopback": [n]}
    )
    # What the emulator lacks that the board has: {feature: why}. The runner takes each
    # feature (a `# requires:` name) as missing, and says why when it skips a test.
    emulator_lacks: dict = None
    flash: dict = None
    needs: str = None
    idf_versions: dict = None
    idf_pin: dict = None  # {MicroPython series: the ESP-IDF version CI builds with}

    @property
    def stock(self):
        return self.asyncio == "stock"

    @property
    def flash_region(self):
        """(start, size) of the memory the image is written to, or None when board.json
        does not say."""
        region = (self.flash or {}).get("region")
        return (int(str(region["start"]), 0), int(str(region["size"]), 0)) if region else None

    def flash_setting(self, key):
        """One value of board.json's "flash" block; a missing one is a one-line error."""
        try:
            return (self.flash or {})[key]
        except KeyError:
            raise FirmwareError(
                f"{self.name}: board.json has no flash.{key!r}",
                hint=f'add it to the "flash" block of {self.folder / "board.json"}',
            ) from None


def _spec(folder):
    """board.json, on top of the board.json of the board it inherits from."""
    spec = json.loads((folder / "board.json").read_text())
    parent = spec.get("inherit")
    if parent:
        base = _spec(folder.parent / parent)
        base.pop("description", None)
        spec = {**base, **spec}
    return spec


def _load(folder):
    spec = _spec(folder)
    for key in ("images", "submodules", "upstream_files"):
        spec[key] = tuple(spec.get(key, ()))
    return Board(name=folder.name, folder=folder, **spec)


def all_boards(root=BOARDS_DIR):
    """{name: Board} for every boards/<name>/board.json (another root: e.g. a test's own
    boards)."""
    return {
        folder.name: _load(folder)
        for folder in sorted(Path(root).iterdir())
        if (folder / "board.json").is_file()
    }


def get(name):
    boards = all_boards()
    if name not in boards:
        raise UnknownBoard(
            f"unknown board {name!r}",
            hint="choose one of: " + ", ".join(boards),
        )
    return boards[name]


def lineage(board):
    """The board and the boards it inherits from, base first."""
    chain = [board]
    while chain[0].inherit:
        chain.insert(0, get(chain[0].inherit))
    return chain


def stock_baseline(board):
    """The board that builds the same upstream port and board with upstream's stock
    asyncio (the baseline tests and benchmarks compare against), or None."""
    return next(
        (
            b
            for b in all_boards().values()
            if b.stock and (b.port, b.upstream_board) == (board.port, board.upstream_board)
        ),
        None,
    )

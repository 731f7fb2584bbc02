"""`make size`: what asyncio costs in flash and static RAM, per board and option.

The cost of an option is the growth of text+data (flash) and data+bss (static RAM)
over the same board built with no asyncio at all, so frozen bytecode, the C module
and the qstrs they add are all counted, whatever the port.
"""

import json

from . import boards
from .build import build

OPTIONS = (
    # label, build keyword arguments
    ("core (C module)", dict(extras="core")),
    ("core+cpython (C module)", dict(extras="cpython")),
    ("all, no primitives (C)", dict(extras="all", primitives=False)),
    ("all (C module)", dict(extras="all")),
    ("all (pure Python)", dict(extras="all", asyncio_c=False)),
)


# The primitives/threadsafe packages' cost: the difference of these two rows.
PRIMITIVES_ROWS = ("all, no primitives (C)", "all (C module)")


def _sizes(folder):
    return json.loads((folder / "manifest.json").read_text())["size"]


def measure(board_name, log=print):
    """[(label, sizes, flash_cost, ram_cost)] for every option that builds."""
    board = boards.get(board_name)
    quiet = lambda *a: None  # noqa: E731  builds report only failures here
    base = _sizes(build(board.name, bare=True, log=quiet))
    rows = []
    variants = [(label, board.name, kw) for label, kw in OPTIONS]
    stock = boards.stock_baseline(board)
    if stock is not None and stock.name != board.name:
        variants.insert(0, ("upstream stock", stock.name, {}))
    for label, name, kw in variants:
        log(f"building {name} {label} ...")
        sizes = _sizes(build(name, log=quiet, **kw))
        flash = sizes["text"] + sizes["data"] - base["text"] - base["data"]
        ram = sizes["data"] + sizes["bss"] - base["data"] - base["bss"]
        rows.append((label, sizes, flash, ram))
    return base, rows


def report(board_name, log=print):
    base, rows = measure(board_name, log)
    print(
        f"\n{board_name}: asyncio's cost over the same image without asyncio "
        f"(text {base['text']}, data {base['data']}, bss {base['bss']})"
    )
    print(f"{'option':26} {'flash (text+data)':>18} {'static RAM':>11}")
    for label, _, flash, ram in rows:
        print(f"{label:26} {flash:>14} B {ram:>9} B")
    by_label = {label: (flash, ram) for label, _, flash, ram in rows}
    if PRIMITIVES_ROWS[0] in by_label and PRIMITIVES_ROWS[1] in by_label:
        (f1, r1), (f0, r0) = by_label[PRIMITIVES_ROWS[1]], by_label[PRIMITIVES_ROWS[0]]
        print(
            f"{'of which primitives':26} {f1 - f0:>14} B {r1 - r0:>9} B"
            "  (primitives + threadsafe; ASYNCIO_PRIMITIVES=0 leaves them out)"
        )
    return rows

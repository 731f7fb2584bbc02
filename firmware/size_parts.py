"""`python3 -m firmware size --parts`: where the documented core's flash goes.

Splits asyncio's flash cost (the `make size` figure: text+data over the same
board built without asyncio) into frozen bytecode per module, the frozen
strings and qstr tables no module symbol names, each C object, and the rest
(module registration, qstrs of the C module's names). Read from the object
files the builds left under build/<image>/obj, ours (core + C module) against
upstream stock, so the parts of each add up to its total.
"""

import re
import shutil
import subprocess

from . import boards
from .build import BUILD_DIR, image_dir, image_name
from .errors import FirmwareError
from .image_manifest import SIZE_TOOLS, frozen_modules
from .size import _sizes

# The C that is asyncio's in each image: ours, our module's objects; stock,
# upstream's module and the pairing heap only it uses.
C_OBJECTS = {"ours": ("_asyncio/*.o",), "stock": ("extmod/modasyncio.o", "py/pairheap.o")}


def _binutil(port, name):
    size_tool = SIZE_TOOLS.get(port, "arm-none-eabi-size")
    tool = shutil.which(size_tool[: -len("size")] + name) or shutil.which(name)
    if tool is None:
        raise FirmwareError(
            f"{name} for the {port} port not found", hint="python3 -m firmware setup"
        )
    return tool


def _flash(port, obj):
    """text+data of one object file."""
    out = subprocess.run(
        [_binutil(port, "size"), str(obj)], capture_output=True, text=True, check=True
    )
    text, data = out.stdout.splitlines()[1].split()[:2]
    return int(text) + int(data)


def symbol_owner(symbol, modules):
    """The frozen module (path as in mp_frozen_names) a frozen_content.c symbol
    belongs to, or None. Symbols embed the module's path with every non-word
    character made "_" (children_asyncio__kernel__IO: asyncio/_kernel.py,
    class _IO); the longest path that fits wins."""
    name = "_" + symbol + "_"
    best = None
    for m in modules:
        key = "_" + re.sub(r"\W", "_", m[: -len(".py")] if m.endswith(".py") else m) + "_"
        if key in name and (best is None or len(key) > best[0]):
            best = (len(key), m)
    return best and best[1]


def _module_bytes(port, frozen_obj, modules):
    """{module: bytes of the frozen symbols named after it} (bytecode, constant
    objects, child tables; string contents are unnamed and not in here)."""
    found = dict.fromkeys(modules, 0)
    out = subprocess.run(
        [_binutil(port, "nm"), "-S", str(frozen_obj)], capture_output=True, text=True, check=True
    )
    for line in out.stdout.splitlines():
        fields = line.split()
        owner = symbol_owner(fields[3], modules) if len(fields) >= 4 else None
        if owner is not None:
            found[owner] += int(fields[1], 16)
    return found


def _image_parts(board, name, c_patterns, bare_name):
    """[(part, bytes)] of one image's asyncio flash, and its total."""
    obj, bare_obj = BUILD_DIR / name / "obj", BUILD_DIR / bare_name / "obj"
    images = image_dir(board).parent
    if not (obj / "frozen_content.o").is_file() or not (bare_obj / "frozen_content.o").is_file():
        raise FirmwareError(
            f"no objects of {name} and {bare_name} to read",
            hint=f"python3 -m firmware size --board {board.name} (builds them)",
        )
    own, base = _sizes(images / name), _sizes(images / bare_name)
    total = own["text"] + own["data"] - base["text"] - base["data"]
    frozen_total = _flash(board.port, obj / "frozen_content.o") - _flash(
        board.port, bare_obj / "frozen_content.o"
    )
    modules = sorted(set(frozen_modules(obj)) - set(frozen_modules(bare_obj)))
    per_module = _module_bytes(board.port, obj / "frozen_content.o", modules)
    rows = [(f"frozen {m}", n) for m, n in sorted(per_module.items(), key=lambda x: -x[1])]
    rows.append(("frozen strings and qstr tables", frozen_total - sum(per_module.values())))
    c_total = 0
    for pattern in c_patterns:
        for o in sorted(obj.glob(pattern)):
            n = _flash(board.port, o)
            c_total += n
            rows.append((f"C {o.relative_to(obj)}", n))
    rows.append(("rest (module table, qstrs of C names)", total - frozen_total - c_total))
    return rows, total


def measure(board_name):
    """{"ours": (rows, total), "stock": (rows, total)} for the board's core + C
    image and its stock baseline, from the objects their last builds left."""
    board = boards.get(board_name)
    stock = boards.stock_baseline(board)
    if stock is None or stock.name == board.name:
        raise FirmwareError(f"{board.name} has no stock baseline board to compare with")
    bare = image_name(board, bare=True)
    return {
        "ours": _image_parts(board, image_name(board, extras="core"), C_OBJECTS["ours"], bare),
        "stock": _image_parts(board, stock.name, C_OBJECTS["stock"], bare),
    }


def report(board_name):
    parts = measure(board_name)
    print(f"\n{board_name}: where the documented core's flash goes (bytes of text+data)")
    for label, title in (("ours", "ours: core + C module"), ("stock", "upstream stock")):
        rows, total = parts[label]
        print(f"  {title}")
        for part, n in rows:
            print(f"    {part:44} {n:>7}")
        print(f"    {'total':44} {total:>7}")
    return parts

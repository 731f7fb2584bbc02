"""manifest.json: what an image folder holds and how it was made."""

import hashlib
import json
import re
import shutil
import subprocess

from .paths import ASYNCIO_INIT

SIZE_TOOLS = {"unix": "size", "esp32": "xtensa-esp32-elf-size"}


def asyncio_version():
    """Our package's version, read from the line the package itself exports."""
    match = re.search(r'^__version__ = "([^"]+)"', ASYNCIO_INIT.read_text(), re.M)
    return match.group(1) if match else "unknown"


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def elf_sizes(port, elf):
    """text/data/bss of an ELF as binutils' size reports them (None when unavailable)."""
    tool = shutil.which(SIZE_TOOLS.get(port, "arm-none-eabi-size")) or shutil.which("size")
    if not tool or not elf.is_file():
        return None
    out = subprocess.run([tool, str(elf)], capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    if out.returncode or len(lines) < 2:
        return None
    text, data, bss = (int(v) for v in lines[1].split()[:3])
    return {"text": text, "data": data, "bss": bss}


def frozen_modules(obj_dir):
    """Names of the frozen .py/.mpy files, from the generated frozen_content.c."""
    found = next(obj_dir.rglob("frozen_content.c"), None)
    if found is None:
        return []
    text = found.read_text(errors="replace")
    block = re.search(r"mp_frozen_names\[\] = \{(.*?)\};", text, re.S)
    return re.findall(r'"([^"\\]+)\\0"', block.group(1)) if block else []


def write_manifest(
    folder, *, board, src, asyncio_c, extras, commit, build_id, obj_dir, primitives=False
):
    elf = next(
        (
            obj_dir / n
            for n in ("firmware.elf", "micropython.elf", "micropython")
            if (obj_dir / n).is_file()
        ),
        None,
    )
    manifest = {
        "board": board.name,
        "port": board.port,
        "upstream_board": board.upstream_board,
        "micropython": {"version": src.version, "source": src.origin},
        "asyncio": "stock" if board.stock else ("none" if extras is None else "ours"),
        "asyncio_version": asyncio_version() if extras and not board.stock else None,
        "asyncio_c": asyncio_c,
        "asyncio_extras": None if board.stock else extras,
        "primitives": primitives,
        "git_commit": commit,
        "build_id": build_id,
        "size": elf_sizes(board.port, elf) if elf else None,
        "files": {
            f.name: {"size": f.stat().st_size, "sha256": _sha256(f)}
            for f in sorted(folder.iterdir())
            if f.is_file()
        },
        "frozen_modules": frozen_modules(obj_dir),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest

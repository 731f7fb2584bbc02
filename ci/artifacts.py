"""Name a built board's files for release:
<BOARD>-v<MicroPython version>-<our asyncio version>.<ext>.

Usage: python3 ci/artifacts.py BOARD IMAGES_ROOT DIST_ROOT
The board's main image takes the plain name; other files add their stem
(ESP32_GENERIC-v1.28.0-0.1.0-bootloader.bin). The unix executable gets ".elf".
Each file is checked against manifest.json's sha256 first, so a stale file is never shipped.
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path


def artifact_name(base, file_name):
    stem, dot, ext = file_name.partition(".")
    if not dot:  # the unix port's executable
        return f"{base}.elf"
    return f"{base}.{ext}" if stem == "firmware" else f"{base}-{stem}.{ext}"


def collect(board, images_root, dist_root):
    source = Path(images_root) / board
    manifest_path = source / "manifest.json"
    if not manifest_path.is_file():
        raise SystemExit(
            f"error: no image for {board} in {source}: build it first: ci/build_board.sh {board}"
        )
    manifest = json.loads(manifest_path.read_text())
    version = manifest["micropython"]["version"]
    base = f"{board}-v{version}-{manifest.get('asyncio_version') or 'stock'}"
    target = Path(dist_root) / board
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    sums = []
    for file_name, facts in sorted(manifest["files"].items()):
        data = (source / file_name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != facts["sha256"]:
            raise SystemExit(
                f"error: {source / file_name} does not match manifest.json: rebuild {board}"
            )
        name = artifact_name(base, file_name)
        if (target / name).exists():
            raise SystemExit(f"error: two files would both be named {name}")
        (target / name).write_bytes(data)
        sums.append(f"{digest}  {name}")
    shutil.copyfile(manifest_path, target / "manifest.json")
    (target / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    return base, target


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__.strip().splitlines()[2])
    name, folder = collect(*sys.argv[1:])
    for path in sorted(folder.iterdir()):
        print(f"  {path}", file=sys.stderr)
    print(f"name={name}")

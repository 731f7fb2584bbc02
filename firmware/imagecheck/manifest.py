"""manifest.json beside each board's images: it must describe the files that are really there."""

import hashlib
import json

REQUIRED_KEYS = (
    "board",
    "port",
    "micropython",
    "asyncio_version",
    "git_commit",
    "build_id",
    "files",
)


def load_manifest(board_dir):
    """Return (problems, manifest dict or None)."""
    path = board_dir / "manifest.json"
    if not path.is_file():
        return [f"{path.name} missing"], None
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"{path.name} is not valid JSON: {exc}"], None
    if not isinstance(manifest, dict):
        return [f"{path.name} is not a JSON object"], None
    missing = [key for key in REQUIRED_KEYS if key not in manifest]
    return ([f"{path.name} lacks {', '.join(missing)}"] if missing else []), manifest


def validate_listed_files(board_dir, manifest):
    """Every file the manifest lists exists with the recorded size and sha256."""
    problems = []
    # Flavours of one board live in <BOARD>-<flavour> folders (e.g. UNIX-pyonly).
    board = manifest.get("board")
    if not isinstance(board, str) or board_dir.name.split("-")[0] != board:
        problems.append(f"manifest says board {board!r}, folder is {board_dir.name!r}")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return problems + ["manifest lists no files"]
    for name, facts in files.items():
        path = board_dir / name
        if not path.is_file():
            problems.append(f"{name}: listed in manifest.json but missing")
            continue
        data = path.read_bytes()
        if facts.get("size") != len(data):
            problems.append(f"{name}: {len(data)} bytes, manifest says {facts.get('size')}")
        if facts.get("sha256") != hashlib.sha256(data).hexdigest():
            problems.append(
                f"{name}: sha256 differs from manifest.json (rebuilt without a new manifest?)"
            )
    return problems

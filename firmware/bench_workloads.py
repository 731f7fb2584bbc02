"""Real workloads (issue 22): stream servers and a UART-like stream on the unix
images, ours / ours pure-Python / stock, and the same exchanges without asyncio.

The servers are tests_hw/bench/workload_servers.py; this module is the CPython
client on 127.0.0.1 and the runner. Each (workload, image) runs four times:
twice under `valgrind --tool=callgrind` with N and 2N operations
(instructions/op = difference / N, so start-up, imports and shut-down cancel
out), twice natively with the GC off and a big heap (bytes/op = difference of
gc.mem_alloc() growth / N). Instruction counts are the server process's user
space only: the client and the kernel's side of each system call are not in them.
"""

import dataclasses
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

from . import boards
from .errors import FirmwareError, ImageMissing, ToolchainMissing
from .paths import BUILD_DIR, ROOT

BENCH_DIR = ROOT / "tests_hw" / "bench"
SERVER = "workload_servers.py"
WORK_DIR = BUILD_DIR / "workloads"
MICRODOT = "2.7.0"
# With the GC off a whole 2N run must fit (microdot: ~12 KB a request).
ALLOC_HEAP = "64M"
RESULT = re.compile(r"^RESULT (\S+) ops=(\d+) alloc=(-?\d+)\s*$", re.M)

ECHO_LINE = b"0123456789abcdef0123456789abcde\n"  # 32 bytes
WAIT_PAUSE = 0.002  # seconds: longer than the server's turn-around under valgrind
REQUEST_CLOSE = (
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n"
    b"Connection: close\r\n\r\n"
)
REQUEST_KA = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"


class WorkloadError(FirmwareError):
    pass


# -- the client -----------------------------------------------------------------------


def _connect(port):
    c = socket.create_connection(("127.0.0.1", port), timeout=120)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def _recv_exactly(c, n):
    data = b""
    while len(data) < n:
        got = c.recv(n - len(data))
        if not got:
            raise WorkloadError(f"server closed after {len(data)} of {n} bytes")
        data += got
    return data


def _recv_all(c):
    chunks = []
    while True:
        got = c.recv(4096)
        if not got:
            return b"".join(chunks)
        chunks.append(got)


def _recv_response(c):
    # Head, then Content-Length bytes of body (keep-alive: the connection stays).
    data = b""
    while b"\r\n\r\n" not in data:
        got = c.recv(4096)
        if not got:
            raise WorkloadError("server closed mid-response")
        data += got
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    return head, body + _recv_exactly(c, length - len(body))


def _check_ok(response):
    if not response.startswith(b"HTTP/1.") or b" 200 " not in response.split(b"\r\n", 1)[0]:
        raise WorkloadError(f"bad response: {response[:80]!r}")


def echo_client(port, n):
    with _connect(port) as c:
        for _ in range(n):
            c.sendall(ECHO_LINE)
            if _recv_exactly(c, len(ECHO_LINE)) != ECHO_LINE:
                raise WorkloadError("echo mismatch")


def echo_wait_client(port, n):
    # The pause lets the server park in its poller before each line arrives, as a
    # device server mostly does; back-to-back, the line is often there already.
    with _connect(port) as c:
        for _ in range(n):
            time.sleep(WAIT_PAUSE)
            c.sendall(ECHO_LINE)
            if _recv_exactly(c, len(ECHO_LINE)) != ECHO_LINE:
                raise WorkloadError("echo mismatch")


def _quit(port):
    with _connect(port) as c:
        c.sendall(REQUEST_CLOSE.replace(b"GET / ", b"GET /quit "))
        _recv_all(c)


def http_close_client(port, n):
    # One request per connection; the server closes after its response.
    for _ in range(n):
        with _connect(port) as c:
            c.sendall(REQUEST_CLOSE)
            _check_ok(_recv_all(c))
    _quit(port)


def http_keepalive_client(port, n):
    with _connect(port) as c:
        for _ in range(n):
            c.sendall(REQUEST_KA)
            head, _ = _recv_response(c)
            _check_ok(head)
        c.sendall(REQUEST_KA.replace(b"GET / ", b"GET /quit "))
        _recv_response(c)


# -- workloads --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    label: str
    client: object  # client(port, n), or None: the server works alone
    n: int  # operations in the short run (the long one does 2n)
    floors: tuple = ()  # server modes doing the same exchange without asyncio
    mode: str = None  # the server's mode, when not the name

    @property
    def server_mode(self):
        return self.mode or self.name


WORKLOADS = (
    Workload(
        "echo",
        "echo, 32-byte lines, one connection",
        echo_client,
        2000,
        ("echo_blocking", "echo_poll"),
    ),
    Workload(
        "echo_wait",
        "echo, the server waits for each line (client pauses 2 ms)",
        echo_wait_client,
        500,
        mode="echo",
    ),
    Workload(
        "http",
        "raw-stream HTTP, one request per connection",
        http_close_client,
        400,
        ("http_blocking",),
    ),
    Workload(
        "http_ka", "raw-stream HTTP, keep-alive", http_keepalive_client, 800, ("http_ka_blocking",)
    ),
    Workload(
        "microdot",
        f"microdot {MICRODOT} `GET /`, one request per connection",
        http_close_client,
        200,
    ),
    Workload(
        "uart_readline",
        "UART-like ioctl stream, `readline()` of 32-byte lines",
        None,
        2000,
        ("uart_readline_poll",),
    ),
    Workload("uart_read", "UART-like ioctl stream, `read(32)`", None, 2000, ("uart_read_poll",)),
)
# ours, our pure-Python core, stock; the floors run on stock (they never import asyncio).
IMAGES = (("ours", "UNIX", True), ("pyonly", "UNIX", False), ("stock", "UNIX_STOCK", True))
FLOOR_IMAGE = "stock"


def ensure_valgrind(log=print):
    # From Debian, at bench time: only the instruction counts need it.
    if not shutil.which("valgrind"):
        from . import toolchain

        toolchain.install_apt(["valgrind"], log)
    if not shutil.which("valgrind"):
        raise ToolchainMissing("valgrind not found", hint="apt-get install valgrind")


def images():
    from .build import image_dir

    found = {}
    for label, board_name, asyncio_c in IMAGES:
        board = boards.get(board_name)
        path = image_dir(board, asyncio_c=asyncio_c) / board.images[0]
        if not path.is_file():
            raise ImageMissing(
                f"{path} does not exist",
                hint=f"make firmware BOARD={board_name}" + ("" if asyncio_c else " ASYNCIO_C=0"),
            )
        found[label] = path
    return found


def fetch_microdot(log=print):
    """build/workloads/lib, holding microdot/ from PyPI's wheel (never committed)."""
    lib = WORK_DIR / f"microdot-{MICRODOT}"
    if (lib / "microdot" / "microdot.py").is_file():
        return lib
    dist = WORK_DIR / "dist"
    log(f"fetching microdot {MICRODOT} from PyPI ...")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            f"microdot=={MICRODOT}",
            "-d",
            str(dist),
        ],
        capture_output=True,
        text=True,
    )
    wheels = sorted(dist.glob(f"microdot-{MICRODOT}-*.whl"))
    if proc.returncode != 0 or not wheels:
        raise WorkloadError(
            f"pip could not fetch microdot {MICRODOT}: {proc.stderr.strip()[-300:]}"
        )
    tmp = lib.with_name(lib.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(wheels[0]) as whl:
        for name in whl.namelist():
            if name.startswith("microdot/") and name.endswith(".py"):
                whl.extract(name, tmp)
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)
    return lib


# -- one server run ---------------------------------------------------------------------


def _read_port(proc, deadline):
    # The server's first line is "PORT <n>", once it listens.
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
            raise WorkloadError("server did not report its port in time")
        got = os.read(proc.stdout.fileno(), 1)
        if not got:
            raise WorkloadError("server exited before listening")
        line += got
    m = re.match(rb"PORT (\d+)", line)
    if not m:
        raise WorkloadError(f"server said {line!r}, not its port")
    return int(m.group(1))


def serve(image, mode, n, client=None, callgrind=False, alloc=False, lib=None, timeout=600):
    """Run one server to the end: (instructions or None, ops, allocated bytes or None)."""
    env = dict(os.environ)
    if lib:
        env["MICROPYPATH"] = f".frozen:{lib}"  # .frozen first: the image's own asyncio
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(image)]
        if callgrind:
            cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", *cmd]
        if alloc:
            cmd += ["-X", f"heapsize={ALLOC_HEAP}"]
        cmd += [SERVER, mode, str(n)] + (["alloc"] if alloc else [])
        with open(f"{tmp}/stderr", "w+b") as err:
            proc = subprocess.Popen(
                cmd,
                cwd=BENCH_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
            )
            try:
                deadline = time.monotonic() + timeout
                if client:
                    client(_read_port(proc, deadline), n)
                out, _ = proc.communicate(timeout=max(1, deadline - time.monotonic()))
            except Exception as e:
                proc.kill()
                proc.communicate()
                err.seek(0)
                raise WorkloadError(
                    f"{image.parent.name} {mode}: {e}; server said: "
                    f"{err.read().decode(errors='replace').strip()[-400:]}"
                ) from None
            err.seek(0)
            stderr = err.read().decode(errors="replace")
    m = RESULT.search(out.decode(errors="replace"))
    if proc.returncode != 0 or not m:
        raise WorkloadError(f"{image.parent.name} {mode} failed: {stderr.strip()[-400:]}")
    instructions = None
    if callgrind:
        cg = re.search(r"Collected : (\d+)", stderr)
        if not cg:
            raise WorkloadError(
                f"callgrind gave no instruction count for {image.parent.name} {mode}"
            )
        instructions = int(cg.group(1))
    ops, allocated = int(m.group(2)), int(m.group(3))
    if ops != n:
        raise WorkloadError(f"{image.parent.name} {mode}: {ops} operations served, {n} asked")
    return instructions, ops, allocated if alloc else None


def per_op(image, mode, n, client=None, lib=None, callgrind=True):
    """{"ir": instructions/op or None, "alloc": bytes/op} from runs with n and 2n operations."""
    row = {"ir": None}
    if callgrind:
        ir1, ops1, _ = serve(image, mode, n, client, callgrind=True, lib=lib)
        ir2, ops2, _ = serve(image, mode, 2 * n, client, callgrind=True, lib=lib)
        row["ir"] = (ir2 - ir1) / (ops2 - ops1)
    _, ops1, a1 = serve(image, mode, n, client, alloc=True, lib=lib)
    _, ops2, a2 = serve(image, mode, 2 * n, client, alloc=True, lib=lib)
    row["alloc"] = (a2 - a1) / (ops2 - ops1)
    return row


def run(scale=1.0, callgrind=True, only=None, log=print):
    """{"scale", "seconds",
    "rows": [{name, label, n, ours, pyonly, stock, floors: {mode: row}}]}."""
    if callgrind:
        ensure_valgrind(log)
    started = time.monotonic()
    found = images()
    rows = []
    for w in WORKLOADS:
        if only and w.name not in only:
            continue
        n = max(2, int(w.n * scale))
        lib = fetch_microdot(log) if w.name == "microdot" else None
        row = {"name": w.name, "label": w.label, "n": n, "floors": {}}
        for label in found:
            row[label] = per_op(found[label], w.server_mode, n, w.client, lib, callgrind)
        for mode in w.floors:
            row["floors"][mode] = per_op(found[FLOOR_IMAGE], mode, n, w.client, None, callgrind)
        log(
            f"workload {w.name}: "
            + ", ".join(
                f"{k} {v['ir'] or 0:,.0f} Ir/op {v['alloc']:,.0f} B/op"
                for k, v in [*((k, row[k]) for k in found), *row["floors"].items()]
            )
        )
        rows.append(row)
    return {
        "scale": scale,
        "callgrind": callgrind,
        "seconds": round(time.monotonic() - started),
        "rows": rows,
    }


# -- flash of the core -------------------------------------------------------------------

FLASH_BOARD = "QEMU_MPS2_AN385"
# The core's flash before issue 22's core change (core_flash() at 4b8b3a0), for "before/after".
FLASH_BEFORE = {"ours": 18692, "commit": "4b8b3a0"}


def core_flash(log=print):
    """{"board", "ours", "stock", "built_from"}: flash (text+data) of the documented core
    (C module, extras=core) and of stock's asyncio over the board built without asyncio."""
    import json

    from . import size
    from .build import build, image_dir

    quiet = lambda *a: None  # noqa: E731
    board = boards.get(FLASH_BOARD)
    stock = boards.stock_baseline(board)
    log(f"building {FLASH_BOARD} without asyncio and with the core only, for the core's flash ...")
    base = size._sizes(build(board.name, bare=True, log=quiet))
    core_dir = build(board.name, extras="core", log=quiet)
    stock_dir = image_dir(stock)
    if not (stock_dir / "manifest.json").is_file():
        stock_dir = build(stock.name, log=quiet)

    def flash(folder):
        s = size._sizes(folder)
        return s["text"] + s["data"] - base["text"] - base["data"]

    built_from = json.loads((core_dir / "manifest.json").read_text()).get("git_commit", "?")
    return {
        "board": FLASH_BOARD,
        "ours": flash(core_dir),
        "stock": flash(stock_dir),
        "built_from": built_from,
    }

"""Boards that run on this machine behind a pty: a process (qemu with `-serial pty`, or the
unix image's relay tests_hw.runner.unixboard) prints `char device redirected to /dev/pts/N`
and serves the board's console on that pty, which mpremote or pyserial can open.

Public surface:
    launch(argv, env=None, timeout=20.0) -> Emulated    any such process, started and waited for
    qemu_command(board, image) -> argv                   how a QEMU board's image is run
    start_qemu(board, image, timeout=10) -> Emulated     launch(qemu_command(...)) for an image file
"""

import atexit
import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time

from .errors import DeviceError, ImageMissing, ToolchainMissing

PTY_LINE = re.compile(rb"char device redirected to (/dev/pts/\d+)")
STOP_GRACE = 3.0  # seconds between SIGTERM and SIGKILL

_running = set()


@atexit.register
def _stop_leftovers():
    # A run cut short (Ctrl-C, a crash in a caller) must not leave an emulator behind.
    for emulated in list(_running):
        emulated.stop()


class Emulated:
    """A running emulated board: its process and the pty its console is on.

    The process leads its own process group, so stop() takes everything it started
    with it (the unix relay's image, too). Use as a context manager, or call stop().
    """

    def __init__(self, process, port):
        self.process = process
        self.port = port
        self._stopped = False
        _running.add(self)
        # Keep reading its output so a chatty emulator never blocks on a full pipe.
        threading.Thread(target=_discard, args=(process.stdout,), daemon=True).start()

    @property
    def pid(self):
        return self.process.pid

    @property
    def running(self):
        return self.process.poll() is None

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        _stop_group(self.process)
        _running.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _discard(stream):
    try:
        while stream.read(4096):
            pass
    except (OSError, ValueError):
        pass  # closed by stop()


def _stop_group(process):
    """SIGTERM the process group, SIGKILL it if it lingers, reap the leader."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)  # the group outlives a dead leader while a child lives
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=STOP_GRACE)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()
    process.stdout.close()


def launch(argv, env=None, timeout=20.0):
    """Start argv and wait for its pty line; DeviceError (one line) if it gives none."""
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,  # Ctrl-C in a terminal must not reach it directly
        )
    except OSError as exc:
        raise DeviceError(f"cannot start {argv[0]}: {exc.strerror}") from None
    seen = b""
    fd = process.stdout.fileno()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            seen += chunk
            found = PTY_LINE.search(seen)
            if found:
                return Emulated(process, found.group(1).decode())
        elif process.poll() is not None:
            break
    _stop_group(process)
    last = seen.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    raise DeviceError(f"{os.path.basename(argv[0])} gave no serial pty ({last[0]})")


def qemu_command(board, image):
    system = board.qemu["system"]
    if not shutil.which(system):
        raise ToolchainMissing(f"{system} not found", hint="run: make setup (apt-get install qemu-system-arm)")
    return [system, *board.qemu["args"], "-serial", "pty", "-kernel", str(image)]


def start_qemu(board, image, timeout=10):
    if not image.is_file():
        raise ImageMissing(f"{image} does not exist", hint=f"build it first: make firmware BOARD={board.name}")
    return launch(qemu_command(board, image), timeout=timeout)

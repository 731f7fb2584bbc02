"""Boards that run on this machine behind a pty: a process (qemu with `-serial pty`, or the
unix image's relay tests_hw.runner.unixboard) prints `char device redirected to /dev/pts/N`
and serves the board's console on that pty, which mpremote or pyserial can open.

A pty whose master closes takes what nobody has read yet with it, so a board's last
words before qemu exits (machine.reset()) or is killed can be lost. launch_on_pty()
makes the pty here and hands qemu its master: we keep a copy, so all the board
printed stays readable on the pty after qemu has gone.

Public surface:
    launch(argv, env=None, timeout=20.0) -> Emulated
        any such process, started and waited for
    launch_on_pty(make_argv, env=None, timeout=20.0)
        make_argv(master fd) -> argv, served on a pty made here
    qemu_command(board, image, console_fd=None) -> argv
        how a QEMU board's image is run (on a given pty master)
    start_qemu(board, image, timeout=10) -> Emulated
        launch(qemu_command(...)) for an image file
    start_rp2040js(board, image, timeout=60) -> Emulated
        an RP2040 UF2 in rp2040js, REPL on a pty made here
"""

import atexit
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import threading
import time
import tty

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

    def __init__(self, process, port, held=()):
        self.process = process
        self.port = port
        self._held = held  # fds of a pty made here, closed once the process is gone
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
        for fd in self._held:
            os.close(fd)
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
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C in a terminal must not reach it directly
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


def launch_on_pty(make_argv, env=None, timeout=20.0, ready=None):
    """Start make_argv(fd), fd the master of a pty made here that the process serves the
    board on; return once the board prints on it, or, given `ready` (bytes), once the
    process prints that on its stdout (a board that speaks only when spoken to, as a
    Pico's USB serial). DeviceError (one line) if it exits first."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    try:
        argv = make_argv(master)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            pass_fds=(master,),
        )
    except OSError as exc:
        os.close(master)
        os.close(slave)
        raise DeviceError(f"cannot start {argv[0]}: {exc.strerror}") from None
    deadline = time.monotonic() + timeout
    said = b""
    while time.monotonic() < deadline:
        if ready is None:
            # Output waiting on the pty (not read here: the boot banner is the client's).
            if select.select([slave], [], [], 0.1)[0]:
                return Emulated(process, os.ttyname(slave), held=(master, slave))
        elif select.select([process.stdout], [], [], 0.1)[0]:
            chunk = os.read(process.stdout.fileno(), 4096)
            said += chunk
            if ready in said:
                return Emulated(process, os.ttyname(slave), held=(master, slave))
            if not chunk:
                process.wait()
        if process.poll() is not None:
            break
    os.close(master)
    os.close(slave)
    name = os.path.basename(argv[0])
    if process.poll() is None:
        _stop_group(process)
        raise DeviceError(
            f"{name} printed nothing on its serial line in {timeout:g}s"
            if ready is None
            else f"{name} did not bring its serial line up in {timeout:g}s"
        )
    if select.select([process.stdout], [], [], 1.0)[0]:
        said += os.read(process.stdout.fileno(), 65536)
    _stop_group(process)
    last = said.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    raise DeviceError(f"{name} exited at start ({last[0]})")


def qemu_command(board, image, console_fd=None):
    """argv running image; its serial line is a pty qemu makes and names, or the pty
    whose master is console_fd (inherited by qemu)."""
    system = board.qemu["system"]
    if not shutil.which(system):
        raise ToolchainMissing(
            f"{system} not found", hint="run: make setup (apt-get install qemu-system-arm)"
        )
    if console_fd is None:
        serial = ["-serial", "pty"]
    else:
        serial = [
            "-add-fd",
            f"fd={console_fd},set=1",
            "-chardev",
            "serial,id=console,path=/dev/fdset/1",
            "-serial",
            "chardev:console",
        ]
    return [system, *board.qemu["args"], *serial, "-kernel", str(image)]


def start_qemu(board, image, timeout=10):
    if not image.is_file():
        raise ImageMissing(
            f"{image} does not exist", hint=f"build it first: make firmware BOARD={board.name}"
        )
    return launch(qemu_command(board, image), timeout=timeout)


def start_rp2040js(board, image, timeout=60.0):
    """An RP2040 image in rp2040js (firmware.rp2040js), its USB serial REPL on a pty made here."""
    from . import rp2040js

    return launch_on_pty(
        lambda fd: rp2040js.command(board, image, fd), timeout=timeout, ready=rp2040js.READY
    )

"""Start a QEMU board's image with its console UART on a pty (`-serial pty`), so the
caller gets a serial device path that mpremote or pyserial can open."""

import os
import re
import select
import shutil
import subprocess
import time

from .errors import DeviceError, ImageMissing, ToolchainMissing

PTY_LINE = re.compile(rb"char device redirected to (/dev/pts/\d+)")


class Emulated:
    """A running emulated board; use as a context manager so it is always stopped."""

    def __init__(self, process, port):
        self.process = process
        self.port = port

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def qemu_command(board, image):
    system = board.qemu["system"]
    if not shutil.which(system):
        raise ToolchainMissing(f"{system} not found", hint="run: make setup (apt-get install qemu-system-arm)")
    return [system, *board.qemu["args"], "-serial", "pty", "-kernel", str(image)]


def start_qemu(board, image, timeout=10):
    if not image.is_file():
        raise ImageMissing(f"{image} does not exist", hint=f"build it first: make firmware BOARD={board.name}")
    process = subprocess.Popen(
        qemu_command(board, image), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            match = PTY_LINE.search(seen)
            if match:
                return Emulated(process, match.group(1).decode())
        if process.poll() is not None:
            break
    process.kill()
    process.wait()
    raise DeviceError(f"QEMU did not offer a serial pty: {seen.decode(errors='replace').strip()[-300:]}")


"""Where a board is: a serial port / URL / USB serial number, or an emulated
board this runner starts itself (qemu, or the unix image behind a pty).

A Target opens a Session and knows how to hard-reset its board and get the
line back afterwards; the recovery policy lives in the board runner.
"""

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import serial
import serial.tools.list_ports

from firmware import boards as board_registry
from firmware.emulator import PTY_LINE, qemu_command
from firmware.errors import FirmwareError, UnknownBoard
from firmware.paths import IMAGES_DIR
from firmware.paths import ROOT as PROJECT

from . import errors
from .session import Session

# qemu answers a newly opened pty only after its ~1 s reconnect poll.
EMULATOR_START_TIMEOUT = 20.0


def _open_session(url, timeout=5.0):
    session = Session(url)
    try:
        session.enter_raw_repl(soft_reset=True, timeout=timeout)
    except BaseException:
        session.close()
        raise
    return session


class Target:
    label = "?"

    def open(self):
        """Return a Session in the raw REPL (soft reset done)."""
        raise NotImplementedError

    def hard_reset(self, session):
        """Reset the board the hardest way available; the session is dead after."""
        raise NotImplementedError

    def close(self):
        pass

    def describe(self):
        return self.label


class PortTarget(Target):
    """A device on a serial line: /dev/tty*, COMn, rfc2217://, socket://, or id:<USB serial>."""

    def __init__(self, spec, label=None, reenumerate_timeout=20.0):
        self.spec = spec
        self.label = label or spec
        self.reenumerate_timeout = reenumerate_timeout
        self.serial_number = spec[3:] if spec.startswith("id:") else None

    def _url(self):
        if self.serial_number is None:
            return self.spec
        for port in serial.tools.list_ports.comports():
            if port.serial_number == self.serial_number:
                return port.device
        raise errors.PortAbsent(f"{self.spec}: no USB serial device with serial number {self.serial_number}")

    def open(self):
        return _open_session(self._url())

    def hard_reset(self, session):
        # 1. machine.reset() if the REPL still takes commands.
        try:
            session.enter_raw_repl(soft_reset=False, timeout=2.0)
            session._send_code(b"import machine\nmachine.reset()\n")
            reset = True
        except errors.RunnerError:
            reset = False
        # 2. Otherwise pulse RTS (EN) with DTR (IO0) released: ESP32-style
        #    auto-reset circuits reboot into the application.
        if not reset:
            try:
                session.serial.dtr = False
                session.serial.rts = True
                time.sleep(0.1)
                session.serial.rts = False
            except (OSError, serial.SerialException, ValueError):
                pass  # ptys and some bridges have no modem lines
        session.close()
        self._wait_for_port()

    def _wait_for_port(self):
        """Native-USB boards drop off the bus while they reset: wait until the
        port (found again by serial number when given) can be opened."""
        deadline = time.monotonic() + self.reenumerate_timeout
        time.sleep(0.5)
        while True:
            try:
                url = self._url()
                if "://" in url or os.path.exists(url):
                    return
            except errors.PortAbsent:
                pass
            if time.monotonic() >= deadline:
                raise errors.DeviceUnresponsive(f"{self.spec}: did not come back after reset")
            time.sleep(0.2)


_running_emulators = set()


@atexit.register
def _stop_leftover_emulators():
    # A run cut short (Ctrl-C, a crash in a plugin) must not leave qemu behind.
    for target in list(_running_emulators):
        target.stop()


class EmulatorTarget(Target):
    """A process that prints `char device redirected to /dev/pts/N` and serves
    a board on that pty; hard reset = restart the process."""

    def __init__(self, label, argv, env=None):
        self.label = label
        self.argv = argv
        self.env = env
        self.process = None
        self.pty = None

    def start(self):
        try:
            self.process = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True,  # Ctrl-C in a terminal must not reach it directly
            )
        except OSError as e:
            raise errors.EmulatorError(f"{self.label}: cannot start {self.argv[0]}: {e.strerror}") from None
        _running_emulators.add(self)
        seen = b""
        deadline = time.monotonic() + EMULATOR_START_TIMEOUT
        fd = self.process.stdout.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                seen += chunk
                found = PTY_LINE.search(seen)
                if found:
                    self.pty = found.group(1).decode()
                    # Keep reading its console so a chatty emulator never blocks on a full pipe.
                    threading.Thread(target=self._discard, args=(self.process.stdout,), daemon=True).start()
                    return
            elif self.process.poll() is not None:
                break
        self.stop()
        last = seen.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise errors.EmulatorError(f"{self.label}: emulator gave no pty ({last[0]})")

    @staticmethod
    def _discard(stream):
        try:
            while stream.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def open(self):
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            return _open_session(self.pty, timeout=10.0)
        except errors.RunnerError:
            self.stop()  # so the next open() starts a fresh one
            raise

    def hard_reset(self, session):
        if session is not None:
            session.close()
        self.stop()

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            # The whole process group: the unix board's image goes with its relay.
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=3)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait()
        self.process.stdout.close()
        self.process = None
        _running_emulators.discard(self)

    def close(self):
        self.stop()

    @property
    def pid(self):
        return self.process.pid if self.process else None


def _board(name):
    try:
        return board_registry.get(name)
    except UnknownBoard:
        known = ", ".join(board_registry.all_boards()) or "none"
        raise errors.UsageError(f"unknown board {name!r} (known: {known})") from None


def board_target(spec, label=None, micropypath=None, raw_paste=True):
    """Target for `--board NAME[=IMAGE]`, an emulated board started here."""
    name, _, image = spec.partition("=")
    board = _board(name)
    image = Path(image) if image else IMAGES_DIR / name / board.images[0]
    if board.runs_here not in ("qemu", "native"):
        raise errors.UsageError(f"board {name} runs on hardware: flash it, then use --port")
    if not image.is_file():
        raise errors.EmulatorError(f"{name}: no image at {image} (build it: make firmware BOARD={name})")
    label = label or name
    if board.runs_here == "qemu":
        try:
            return EmulatorTarget(label, qemu_command(board, image))
        except FirmwareError as e:  # qemu not installed
            raise errors.EmulatorError(f"{name}: {e}") from None
    argv = [sys.executable, "-m", "tests_hw.runner.unixboard", str(image)]
    if micropypath:
        argv += ["--path", micropypath]
    if not raw_paste:
        argv.append("--no-raw-paste")
    env = dict(os.environ, PYTHONPATH=str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return EmulatorTarget(label, argv, env=env)


def make_targets(boards=(), ports=(), micropypath=None, reenumerate_timeout=20.0):
    """Targets for the command line's --board and --port lists, with unique labels."""
    targets = [board_target(b, micropypath=micropypath) for b in boards]
    targets += [PortTarget(p, reenumerate_timeout=reenumerate_timeout) for p in ports]
    counts = {}
    for t in targets:
        counts[t.label] = counts.get(t.label, 0) + 1
    seen = {}
    for t in targets:
        if counts[t.label] > 1:
            seen[t.label] = seen.get(t.label, 0) + 1
            t.label = f"{t.label}#{seen[t.label]}"
    return targets

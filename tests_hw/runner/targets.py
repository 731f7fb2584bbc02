"""Where a board is: a serial port / URL / USB serial number, or an emulated
board this runner starts itself (qemu, or the unix image behind a pty).

A Target opens a Session and knows how to hard-reset its board and get the
line back afterwards; the recovery policy lives in the board runner.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import serial
import serial.tools.list_ports

from firmware import boards as board_registry
from firmware import emulator, rp2040js
from firmware.errors import FirmwareError, UnknownBoard
from firmware.paths import IMAGES_DIR
from firmware.paths import ROOT as PROJECT
from firmware.serial_repl import Session

from . import errors, flashing

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
    # How many times slower than a real board it runs (an emulator's timeouts stretch by it).
    slowness = 1.0
    # {feature: why} the emulator cannot do what the board can (board.json "emulator_lacks").
    lacks = {}
    # The build record (manifest.json) the board must answer with, set by --flash.
    expected_build = None

    def flash(self, board, images_dir=IMAGES_DIR, out=print):
        """Put the built image on the board; return its manifest (flashing.flash_all)."""
        raise errors.UsageError(f"{self.label}: --flash does not know how to flash this board")

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

    def ended(self, wait=0.0):
        """None while the board may still be there; else (how, what): how is "died" or
        "reset", what names it, e.g. ("died", "QEMU exited (killed by signal 9)").
        wait: seconds to give a board whose line just failed to finish ending."""
        return None


class PortTarget(Target):
    """A device on a serial line: /dev/tty*, COMn, rfc2217://, socket://, or id:<USB serial>."""

    def __init__(self, spec, label=None, reenumerate_timeout=20.0, lacks=None, slowness=1.0):
        self.spec = spec
        self.label = label or spec
        self.reenumerate_timeout = reenumerate_timeout
        self.serial_number = spec[3:] if spec.startswith("id:") else None
        self.lacks = lacks or {}
        self.slowness = slowness

    def _url(self):
        if self.serial_number is None:
            return self.spec
        for port in serial.tools.list_ports.comports():
            if port.serial_number == self.serial_number:
                return port.device
        raise errors.PortAbsent(
            f"{self.spec}: no USB serial device with serial number {self.serial_number}"
        )

    def open(self):
        return _open_session(self._url())

    def flash(self, board, images_dir=IMAGES_DIR, out=print):
        return flashing.flash_on_port(self._url(), board, self.label, images_dir, out)

    def hard_reset(self, session):
        # 1. machine.reset() if the REPL still takes commands.
        try:
            session.enter_raw_repl(soft_reset=False, timeout=2.0)
            session._send_code(b"import machine\nmachine.reset()\n")
            reset = True
        except FirmwareError:
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
        self._let_it_boot()

    def _let_it_boot(self, timeout=15.0):
        """Listen, sending nothing, until the rebooted board prints its prompt (or timeout):
        poked while its app starts, the ESP32 under Espressif's QEMU panics (LoadProhibited
        in task_wdt_isr) and reboots, again at every poke, and the board is lost."""
        try:
            listener = Session(self._url())
        except FirmwareError:
            return  # open() says what is wrong with the port
        try:
            listener.read_until(b">>> ", time.monotonic() + timeout, keep=0)
        except FirmwareError:
            pass
        finally:
            listener.serial.close()  # not Session.close(): that types Ctrl-B

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


class EmulatorTarget(Target):
    """A process that serves a board on a pty (firmware.emulator launches it); hard
    reset = restart it. argv: a list, for a process that makes the pty and prints
    `char device redirected to /dev/pts/N`; or a function of a pty master fd made
    here, whose output then outlives the process (firmware.emulator.launch_on_pty)."""

    def __init__(
        self,
        label,
        argv,
        env=None,
        name=None,
        resets=None,
        ready=None,
        slowness=1.0,
        lacks=None,
        image=None,
    ):
        self.label = label
        self.image = image  # the image file it boots, when known
        self.argv = argv
        self.env = env
        self.emulated = None
        self.name = name or ("emulator" if callable(argv) else os.path.basename(argv[0]))
        self.resets = resets or {}  # exit status -> why it means the board reset itself
        self.ready = ready  # bytes the process prints once its serial line is up (launch_on_pty)
        self.slowness = slowness
        self.lacks = lacks or {}

    @property
    def process(self):
        return self.emulated.process if self.emulated else None

    @property
    def pty(self):
        return self.emulated.port if self.emulated else None

    @property
    def pid(self):
        return self.emulated.pid if self.emulated else None

    def start(self):
        timeout = EMULATOR_START_TIMEOUT * self.slowness
        try:
            if callable(self.argv):
                self.emulated = emulator.launch_on_pty(
                    self.argv, self.env, timeout=timeout, ready=self.ready
                )
            else:
                self.emulated = emulator.launch(self.argv, self.env, timeout=timeout)
        except FirmwareError as e:
            raise errors.EmulatorError(f"{self.label}: {e}") from None

    def flash(self, board, images_dir=IMAGES_DIR, out=print):
        """An emulator's flash is booting the image: the check is that it answers as the
        build its manifest records."""
        if self.image is None:
            raise errors.UsageError(f"{self.label}: --flash needs to know the image it boots")
        out(f"{self.label}: boots {self.image}")
        return flashing.manifest_beside(self.image, self.label)

    def open(self):
        if self.emulated is None or not self.emulated.running:
            self.stop()  # a process that died on its own still has a group and a pipe to clean up
            self.start()
        try:
            return _open_session(self.pty, timeout=10.0 * self.slowness)
        except FirmwareError:
            self.stop()  # so the next open() starts a fresh one
            raise

    def hard_reset(self, session):
        if session is not None:
            session.close()
        self.stop()

    def ended(self, wait=0.0):
        process = self.process
        if process is None:
            return None
        try:
            code = process.wait(timeout=wait) if wait else process.poll()
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            return None
        if code < 0:
            return "died", f"{self.name} exited (killed by signal {-code})"
        if code in self.resets:
            return "reset", f"{self.name} exited with status {code} ({self.resets[code]})"
        return "died", f"{self.name} exited with status {code}"

    def stop(self):
        if self.emulated is not None:
            self.emulated.stop()
            self.emulated = None

    def close(self):
        self.stop()


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
    if board.runs_here == "espressif-qemu":
        raise errors.UsageError(
            f"board {name} runs in Espressif's QEMU, which the runner does not start: "
            f"ci/esp32_qemu.py {name} -- <runner> --port socket://localhost:5555"
        )
    if board.runs_here not in ("qemu", "native", "rp2040js"):
        raise errors.UsageError(f"board {name} runs on hardware: flash it, then use --port")
    if not image.is_file():
        raise errors.EmulatorError(
            f"{name}: no image at {image} (build it: make firmware BOARD={name})"
        )
    label = label or name
    if board.runs_here == "rp2040js":
        try:
            rp2040js.prepare()  # node, rp2040js, the bootrom: say now what is missing
        except FirmwareError as e:
            raise errors.EmulatorError(f"{name}: {e}") from None
        settings = board.rp2040js or {}
        return EmulatorTarget(
            label,
            lambda fd: rp2040js.command(board, image, fd),
            name="rp2040js",
            resets={rp2040js.EXIT_WATCHDOG: "machine.reset(): the watchdog rebooted the chip"},
            ready=rp2040js.READY,
            slowness=float(settings.get("slowness", 1)),
            lacks=board.emulator_lacks,
            image=image,
        )
    if board.runs_here == "qemu":
        try:
            emulator.qemu_command(board, image)  # qemu not installed: say so now
        except FirmwareError as e:
            raise errors.EmulatorError(f"{name}: {e}") from None
        # The qemu port's machine.reset() is a semihosting exit(0).
        return EmulatorTarget(
            label,
            lambda fd: emulator.qemu_command(board, image, console_fd=fd),
            name="QEMU",
            resets={0: "machine.reset() ends the emulator"},
            lacks=board.emulator_lacks,
            image=image,
        )
    argv = [sys.executable, "-m", "tests_hw.runner.unixboard", str(image)]
    if micropypath:
        argv += ["--path", micropypath]
    if not raw_paste:
        argv.append("--no-raw-paste")
    env = dict(os.environ, PYTHONPATH=str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return EmulatorTarget(label, argv, env=env, name="unixboard", image=image)


# What the emulator behind --port lacks, {feature: why} as JSON, set by whatever started it
# (ci/esp32_qemu.py: board.json's "emulator_lacks"); the runner starts no such emulator itself.
PORT_LACKS_ENV = "HWTEST_EMULATOR_LACKS"


def port_lacks(environ=os.environ):
    text = environ.get(PORT_LACKS_ENV)
    if not text:
        return {}
    try:
        lacks = json.loads(text)
    except ValueError:
        lacks = None
    if not isinstance(lacks, dict) or not all(isinstance(v, str) for v in lacks.values()):
        raise errors.UsageError(f"{PORT_LACKS_ENV} must be a JSON object of feature: reason")
    return lacks


# How much slower than the real board the emulator behind --port runs (test time limits
# grow by it), set by whatever started it (ci/esp32_qemu.py: board.json's qemu "slowness").
PORT_SLOWNESS_ENV = "HWTEST_EMULATOR_SLOWNESS"


def port_slowness(environ=os.environ):
    text = environ.get(PORT_SLOWNESS_ENV)
    if not text:
        return 1.0
    try:
        slowness = float(text)
    except ValueError:
        slowness = 0.0
    if not 1.0 <= slowness <= 1000.0:
        raise errors.UsageError(
            f"{PORT_SLOWNESS_ENV} must be a number from 1 to 1000, not {text!r}"
        )
    return slowness


def make_targets(
    boards=(), ports=(), micropypath=None, reenumerate_timeout=20.0, coordinator=None, lg_env=None
):
    """Targets for the command line's --board and --port lists, with unique labels.
    `--board labgrid:<place>` is a place of a labgrid farm, acquired here (close() releases
    it); lg_env, a labgrid environment file, names places (and the coordinator) too."""
    from . import farm

    places = [b[len(farm.PREFIX) :] for b in boards if b.startswith(farm.PREFIX)]
    if lg_env:
        in_env, env_coordinator = farm.places_from_env(lg_env)
        places += in_env
        coordinator = coordinator or env_coordinator
    boards = [b for b in boards if not b.startswith(farm.PREFIX)]
    if len(set(places)) != len(places):
        raise errors.UsageError("a labgrid place can be given once: " + ", ".join(sorted(places)))
    targets = [board_target(b, micropypath=micropypath) for b in boards]
    if places:
        _, placed = farm.labgrid_targets(places, coordinator)
        targets += placed
    lacks, slowness = port_lacks(), port_slowness()
    targets += [
        PortTarget(p, reenumerate_timeout=reenumerate_timeout, lacks=lacks, slowness=slowness)
        for p in ports
    ]
    counts = {}
    for t in targets:
        counts[t.label] = counts.get(t.label, 0) + 1
    seen = {}
    for t in targets:
        if counts[t.label] > 1:
            seen[t.label] = seen.get(t.label, 0) + 1
            t.label = f"{t.label}#{seen[t.label]}"
    return targets

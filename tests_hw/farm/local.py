"""LocalFarm: the pieces of a labgrid farm, started on 127.0.0.1 and stopped again.

    with LocalFarm(["qemu-a", "qemu-b"]) as farm:
        ... python -m tests_hw.runner --coordinator farm.coordinator --board labgrid:qemu-a ...

Ports are ephemeral. labgrid's exporter starts ser2net listening on every address;
a ser2net shim first on the exporter's PATH makes it listen on 127.0.0.1 only.
"""

import atexit
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tty
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from firmware import boards as board_registry
from firmware import emulator
from firmware.errors import FirmwareError
from firmware.paths import IMAGES_DIR

BOARD = "QEMU_MPS2_AN385"
EXPORTER_NAME = "farm"
START_TIMEOUT = 30.0
STOP_GRACE = 5.0
SER2NET = "/usr/sbin/ser2net"
SER2NET_SHIM = """#!/bin/sh
# labgrid-exporter's ser2net accepter is `tcp,PORT` (every address): bind it to 127.0.0.1.
n=$#
for a in "$@"; do
    case "$a" in
        *"accepter: "*",tcp,"*) a=$(printf '%s' "$a" | sed 's/,tcp,/,tcp,127.0.0.1,/') ;;
    esac
    set -- "$@" "$a"
done
shift "$n"
exec {ser2net} "$@"
"""


class FarmError(FirmwareError):
    pass


def _labgrid_tool(name):
    """labgrid's commands, beside this Python (make runs .venv/bin/python unactivated)."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise FarmError(
            f"{name} not found", hint="make setup (labgrid is pinned in requirements.txt)"
        )
    return found


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port, process, what, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise FarmError(f"{what} exited at start (status {process.returncode})")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise FarmError(f"{what} did not listen on 127.0.0.1:{port} in {timeout:g}s")


class QemuBoard:
    """A QEMU board whose console is a pty that outlives QEMU, as a board's UART outlives a
    reboot: power off stops QEMU, power on starts it; QEMU ending on its own (machine.reset())
    is a reboot, and it is started again."""

    def __init__(self, name, image):
        self.name = name
        self.board = board_registry.get(BOARD)
        self.image = image
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.process = None
        self.on = False
        self.boots = 0
        self.groups = []  # every QEMU started (each leads its process group)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def start(self):
        self.power(True)
        self._watcher.start()

    def power(self, on):
        with self._lock:
            self.on = on
            if not on:
                self._kill()
            elif self.process is None or self.process.poll() is not None:
                self._boot()

    def _boot(self):
        argv = emulator.qemu_command(self.board, self.image, console_fd=self.master)
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(self.master,),
            start_new_session=True,
        )
        self.boots += 1
        self.groups.append(self.process.pid)

    def _kill(self):
        if self.process is not None:
            _stop_group(self.process)
            self.process = None

    def _watch(self):
        while not self._closed.wait(0.2):
            with self._lock:
                if self.on and self.process is not None and self.process.poll() is not None:
                    self._boot()  # it reset itself: a board comes back

    def pids(self):
        return [self.process.pid] if self.process is not None else []

    def stop(self):
        self._closed.set()
        with self._lock:
            self.on = False
            self._kill()
        for fd in (self.master, self.slave):
            os.close(fd)


class PowerSwitch(ThreadingHTTPServer):
    """A networked power switch as labgrid's "simplerest" model speaks to it:
    GET /<board>/<0|1> switches, GET /<board> answers 1 or 0."""

    daemon_threads = True

    def __init__(self, boards):
        self.boards = boards
        super().__init__(("127.0.0.1", 0), _SwitchHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def url(self, name):
        return f"http://127.0.0.1:{self.server_address[1]}/{name}/{{value}}"


class _SwitchHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        name, _, value = self.path.strip("/").partition("/")
        board = self.server.boards.get(name)
        if board is None or value not in ("", "0", "1"):
            self.send_error(404)
            return
        if value:
            board.power(value == "1")
        body = b"1" if board.on else b"0"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _stop_group(process):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=STOP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait()


class LocalFarm:
    def __init__(self, places=("qemu-a", "qemu-b"), image=None, power=True):
        self.places = list(places)
        self.image = Path(image) if image else IMAGES_DIR / BOARD / "firmware.elf"
        self.power = power
        self.dir = None
        self.coordinator = None  # "127.0.0.1:PORT" once started
        self.boards = {}
        self.switch = None
        self.coordinator_process = None
        self.exporter_process = None
        self._groups = []  # process groups started here (each leader's pid)
        self._all_boards = []

    # -- start ---------------------------------------------------------------
    def start(self):
        if not self.image.is_file():
            raise FarmError(
                f"no image at {self.image}", hint=f"build it first: make firmware BOARD={BOARD}"
            )
        if not os.path.exists(SER2NET):
            raise FarmError(f"{SER2NET} not found", hint="make setup (apt-get install ser2net)")
        self.dir = Path(tempfile.mkdtemp(prefix="labgrid-farm-"))
        atexit.register(self.stop)  # a caller that dies without stop() leaves nothing running
        try:
            for name in self.places:
                board = self.boards[name] = QemuBoard(name, self.image)
                self._all_boards.append(board)
                board.start()
            if self.power:
                self.switch = PowerSwitch(self.boards)
                self.switch.thread.start()
            self._start_coordinator()
            self._start_exporter()
            for name in self.places:
                self.client("-p", name, "create")
                self.client("-p", name, "add-match", f"{EXPORTER_NAME}/{name}/*")
            self._wait_for_resources()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, argv, log, env=None):
        process = subprocess.Popen(
            argv,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self._groups.append(process.pid)
        return process

    def _start_coordinator(self):
        port = _free_port()
        self.coordinator = f"127.0.0.1:{port}"
        with open(self.dir / "coordinator.log", "wb") as log:
            self.coordinator_process = self._spawn(
                [_labgrid_tool("labgrid-coordinator"), "-l", self.coordinator], log
            )
        _wait_for_port(port, self.coordinator_process, "labgrid-coordinator")

    def _start_exporter(self):
        config = []
        for name, board in self.boards.items():
            config += [
                f"{name}:",
                "  RawSerialPort:",
                f"    port: {board.path}",
                "    speed: 115200",
            ]
            if self.switch:
                config += [
                    "  NetworkPowerPort:",
                    "    model: simplerest",
                    f"    host: '{self.switch.url(name)}'",
                    "    index: 0",
                ]
        (self.dir / "exporter.yaml").write_text("\n".join(config) + "\n")
        shim = self.dir / "bin" / "ser2net"
        shim.parent.mkdir()
        shim.write_text(SER2NET_SHIM.format(ser2net=SER2NET))
        shim.chmod(0o755)
        env = dict(os.environ, PATH=f"{shim.parent}{os.pathsep}{os.environ.get('PATH', '')}")
        with open(self.dir / "exporter.log", "wb") as log:
            self.exporter_process = self._spawn(
                [
                    _labgrid_tool("labgrid-exporter"),
                    "-c",
                    self.coordinator,
                    "--name",
                    EXPORTER_NAME,
                    "--hostname",
                    "127.0.0.1",
                    str(self.dir / "exporter.yaml"),
                ],
                log,
                env=env,
            )

    def _wait_for_resources(self):
        wanted = {f"{EXPORTER_NAME}/{name}/NetworkSerialPort" for name in self.places}
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.exporter_process.poll() is not None:
                raise FarmError(f"labgrid-exporter exited at start: {self.log('exporter')[-300:]}")
            shown = set(self.client("resources").split())
            if wanted <= shown:
                return
            if time.monotonic() > deadline:
                raise FarmError(
                    f"labgrid-exporter did not export {sorted(wanted - shown)} "
                    f"in {START_TIMEOUT:g}s"
                )
            time.sleep(0.3)

    # -- use -----------------------------------------------------------------
    def client(self, *args, env=None, check=True):
        """labgrid-client against this farm's coordinator; its stdout."""
        run = subprocess.run(
            [_labgrid_tool("labgrid-client"), "-x", self.coordinator, *args],
            cwd=self.dir,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        if check and run.returncode != 0:
            raise FarmError(
                f"labgrid-client {' '.join(args)}: {(run.stderr or run.stdout).strip()[-300:]}"
            )
        return run.stdout

    def acquired_by(self, place):
        """Who holds `place` ("host/user"), or None."""
        for line in self.client("-p", place, "show").splitlines():
            key, _, value = line.strip().partition(":")
            if key == "acquired":
                value = value.strip()
                return None if value in ("", "None") else value
        return None

    def kill_exporter(self):
        """The exporter dies at once, with its ser2net (as when its host goes down)."""
        _stop_group_now(self.exporter_process)

    def log(self, which):
        path = self.dir / f"{which}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- stop ----------------------------------------------------------------
    def stop(self):
        atexit.unregister(self.stop)
        for process in (self.exporter_process, self.coordinator_process):
            if process is not None:
                _stop_group(process)
        if self.switch is not None:
            self.switch.shutdown()
            self.switch.server_close()
            self.switch = None
        for board in self.boards.values():
            board.stop()
        self.boards = {}
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def leftovers(self):
        """pids still alive in any process group started here (should be none after stop())."""
        groups = set(self._groups) | {pid for board in self._all_boards for pid in board.groups}
        alive = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            state, pgrp = fields[0], int(fields[2])
            if pgrp in groups and state != "Z":
                alive.append(int(entry))
        return alive

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _stop_group_now(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()

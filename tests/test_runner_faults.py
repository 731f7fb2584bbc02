"""Real faults, no mocks: hanging tests, resetting and crashing devices,
garbage on the line, output without end, a killed emulator, a board that never
comes back, and ports that are not (usable) MicroPython."""

import os
import pty
import signal
import subprocess
import sys
import threading
import time
import tracemalloc

import pytest
import serial

from firmware.serial_repl import Session
from tests_hw.runner.engine import Engine
from tests_hw.runner.suite import discover
from tests_hw.runner.targets import PROJECT, PortTarget, board_target


NEXT_OK = ("print('still fine')\n", "still fine\n")


def cli(*args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "tests_hw.runner", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def when_printed(monkeypatch):
    """when_printed(marker, action): run action() once, as the runner reads marker from the
    board (a fault injected at a known point of a test, not after a delay)."""

    def arm(marker, action):
        read = Session.read_available
        recent, done = bytearray(), []

        def read_available(session):
            data = read(session)
            if data and not done:
                recent.extend(data)
                if marker in recent:
                    done.append(True)
                    action()
                del recent[: -len(marker)]  # a marker split across reads is still found
            return data

        monkeypatch.setattr(Session, "read_available", read_available)

    return arm


def test_hanging_test_times_out_and_the_next_one_passes(unix_board, device_suite, run_suite):
    device_suite(
        "test_a_hang.py", "# timeout: 1\nprint('spinning')\nwhile True:\n    pass\n", exp="never\n"
    )
    device_suite("test_b_next.py", *NEXT_OK)
    results = run_suite([unix_board()], device_suite.dir)
    hang = results["test_a_hang.py"]
    assert hang.status == "timeout" and 0.9 < hang.duration < 6
    assert results["test_b_next.py"].status == "pass"


def test_device_resetting_mid_test(unix_board, device_suite, run_suite):
    # sys.exit() soft-resets a board; killing the image is a crash/watchdog reset, as is
    # the image exiting: the relay starts it again, as a board comes back from a reset.
    device_suite(
        "test_a_exit.py",
        "print('bye')\nimport sys\nsys.exit()\nprint('unreached')\n",
        exp="bye\nunreached\n",
    )
    device_suite("test_b_next.py", *NEXT_OK)
    device_suite(
        "test_c_crash.py", "import os\nprint('going')\nos.system('kill -9 $PPID')\n", exp="going\n"
    )
    device_suite("test_d_next.py", *NEXT_OK)
    device_suite(
        "test_e_exits.py",
        "import ffi\nprint('leaving')\nffi.open(None).func('v', '_exit', 'i')(3)\n",
    )
    device_suite("test_f_next.py", *NEXT_OK)
    results = run_suite([unix_board()], device_suite.dir)
    assert results["test_a_exit.py"].status == "fail"
    crash, exits = results["test_c_crash.py"], results["test_e_exits.py"]
    assert (crash.status, crash.message) == (
        "error",
        "board reset mid-test: micropython was killed by signal 9, restarting it",
    )
    assert (exits.status, exits.message) == (
        "error",
        "board reset mid-test: micropython exited with status 3, restarting it",
    )
    assert crash.output.startswith("going\n") and exits.output.startswith("leaving\n")
    assert all(results[f"test_{n}_next.py"].status == "pass" for n in "bdf")


def test_garbage_on_the_line(unix_board, device_suite, run_suite):
    # Control bytes that mean something to the raw REPL (EOF, prompts, banners) as output.
    device_suite(
        "test_a_junk.py",
        "import sys\nw = sys.stdout.buffer.write\nw(bytes(range(256)))\n"
        "w(b'\\x04\\x04>raw REPL; CTRL-B to exit\\r\\n>OK\\x04')\nprint()\n",
        exp="x\n",
    )
    device_suite("test_b_next.py", *NEXT_OK)
    results = run_suite([unix_board()], device_suite.dir)
    assert results["test_a_junk.py"].status in ("fail", "error")
    assert results["test_b_next.py"].status == "pass"


def test_emulator_killed_mid_run(unix_board, device_suite, when_printed):
    device_suite(
        "test_a_slow.py",
        "import time\nprint('started')\ntime.sleep(60)\nprint('done')\n",
        exp="done\n",
    )
    device_suite("test_b_next.py", *NEXT_OK)
    target = unix_board()
    when_printed(b"started\r\n", lambda: os.killpg(target.pid, signal.SIGKILL))
    results = {r.test: r for r in Engine([target], discover([device_suite.dir])).run()}
    slow = results["test_a_slow.py"]
    assert (slow.status, slow.message) == (
        "error",
        "board died mid-test: unixboard exited (killed by signal 9)",
    )
    assert slow.output == "started\n"
    assert "reconnected" in slow.recovery
    assert results["test_b_next.py"].status == "pass"
    assert target.process is None  # stopped at the end: no orphan


def test_qemu_killed_or_reset_mid_test(qemu_image, device_suite, when_printed):
    device_suite(
        "test_a_killed.py", "import time\nprint('started')\ntime.sleep(60)\n", exp="done\n"
    )
    device_suite("test_b_next.py", *NEXT_OK)
    # The last words before the reset stay readable: the runner holds qemu's pty open.
    device_suite("test_c_reset.py", "import machine\nprint('last words')\nmachine.reset()\n")
    device_suite("test_d_next.py", *NEXT_OK)
    target = board_target(f"QEMU_MPS2_AN385={qemu_image}")
    when_printed(b"started\r\n", lambda: os.killpg(target.pid, signal.SIGKILL))
    results = {r.test: r for r in Engine([target], discover([device_suite.dir])).run()}
    killed, reset = results["test_a_killed.py"], results["test_c_reset.py"]
    assert (killed.status, killed.message, killed.output) == (
        "error",
        "board died mid-test: QEMU exited (killed by signal 9)",
        "started\n",
    )
    assert (reset.status, reset.message, reset.output) == (
        "error",
        "board reset mid-test: QEMU exited with status 0 (machine.reset() ends the emulator)",
        "last words\n",
    )
    assert "reconnected" in killed.recovery and "reconnected" in reset.recovery
    assert results["test_b_next.py"].status == results["test_d_next.py"].status == "pass"
    assert target.process is None


# Sized in bytes, so the measure does not depend on how fast this machine relays them.
FLOOD_MIB = 24


def test_flooding_output_costs_bounded_memory(unix_board, device_suite):
    lines = FLOOD_MIB * 1024  # of 1 KiB with their newline
    device_suite(
        "test_flood.py",
        f"# timeout: 900\nline = 'x' * 1023\nfor i in range({lines}):\n"
        "    print(line)\nprint('the end')\n",
    )
    start = []

    def measure_from_here(board, test):  # the board is up, the runner's modules are loaded
        start.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.reset_peak()

    tracemalloc.start()
    try:
        results = Engine(
            [unix_board()], discover([device_suite.dir]), on_start=measure_from_here
        ).run()
        peak = tracemalloc.get_traced_memory()[1] - start[0]
    finally:
        tracemalloc.stop()
    flood = results[0]
    assert flood.status == "pass", flood.message
    assert len(flood.output) == 4000 and flood.output.endswith("x\nthe end\n")
    # Holding the output (as it once did) costs several times its 24 MiB; the
    # runner's bounded buffers come to some 250 KiB.
    assert peak < 4 << 20, f"the runner's memory grew by {peak / (1 << 20):.1f} MiB"


def test_run_aborts_after_consecutive_device_failures(unix_image, device_suite, run_suite):
    # A board on a plain port dies for good: the runner cannot restart it.
    board = subprocess.Popen(
        [sys.executable, "-m", "tests_hw.runner.unixboard", unix_image],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = board.stdout.readline().split()[4]
        device_suite("test_a_dies.py", "import time\ntime.sleep(5)\n")
        for name in "bcdef":
            device_suite(f"test_{name}.py", *NEXT_OK)
        threading.Timer(0.8, board.kill).start()
        target = PortTarget(port, reenumerate_timeout=0.5)
        results = run_suite([target], device_suite.dir, max_device_failures=3)
    finally:
        board.kill()
        board.wait()
    status = [results[f"test_{n}.py"].status for n in "bcdef"]
    assert results["test_a_dies.py"].status == "error"
    assert status == ["error", "error", "aborted", "aborted", "aborted"]
    assert "consecutive device failures" in results["test_f.py"].message


def test_split_mode_gives_a_dead_boards_share_to_the_others(
    unix_image, unix_board, device_suite, tmp_path
):
    # One board dies for good at its first test; the other runs everything the dead one
    # did not take before it was given up on.
    board = subprocess.Popen(
        [sys.executable, "-m", "tests_hw.runner.unixboard", unix_image],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = board.stdout.readline().split()[4]
        for name in "abcdefghij":  # each a while, so tests are still queued when it is given up on
            device_suite(
                f"test_{name}.py",
                "import time\ntime.sleep(0.4)\nprint('still fine')\n",
                NEXT_OK[1],
            )
        # Through a link that goes with the board: its pty's number may be the other board's next.
        link = tmp_path / "ttyDYING"
        link.symlink_to(port)
        dying = PortTarget(str(link), label="dying", reenumerate_timeout=0.5)

        def kill_at_first_test(label, test):
            if label == "dying" and board.poll() is None:
                board.kill()
                board.wait()
                link.unlink()

        results = Engine(
            [dying, unix_board()],
            discover([device_suite.dir]),
            mode="split",
            on_start=kill_at_first_test,
            max_device_failures=2,
        ).run()
    finally:
        board.kill()
        board.wait()
    assert sorted(r.test for r in results) == [f"test_{n}.py" for n in "abcdefghij"]  # each once
    told = [(r.board, r.test, r.status, r.message) for r in results]
    dead = [r for r in results if r.board == "dying"]
    assert len(dead) <= 2 and all(r.status == "error" for r in dead), told  # none "not run"
    assert all(r.status == "pass" for r in results if r.board == "UNIX"), told


def _junk_pty():
    """A pty whose other end is a python script answering everything with junk."""
    master, slave = pty.openpty()
    path = os.ttyname(slave)
    echo = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os,sys\nwhile True:\n d=os.read(0,100)\n os.write(1,b'?? junk '+d[::-1])\n",
        ],
        stdin=master,
        stdout=master,
    )
    os.close(master)
    return path, slave, echo


def test_not_micropython_gives_one_clear_line():
    path, slave, echo = _junk_pty()
    try:
        started = time.monotonic()
        proc = cli("--port", path, "-k", "sleep")
    finally:
        echo.kill()
        os.close(slave)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "not a MicroPython raw REPL" in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - started < 30


def test_absent_port():
    proc = cli("--port", "/dev/ttyACM_does_not_exist")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "error: /dev/ttyACM_does_not_exist: no such port (unplugged? wrong name?)"
    )


def test_busy_port(unix_image):
    board = subprocess.Popen(
        [sys.executable, "-m", "tests_hw.runner.unixboard", unix_image],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = board.stdout.readline().split()[4]
        holder = serial.Serial(port, exclusive=True)  # e.g. a terminal left open
        proc = cli("--port", port)
        holder.close()
    finally:
        board.kill()
        board.wait()
    assert proc.returncode == 2
    assert "port is busy" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root opens any device: permission errors cannot happen"
)
def test_permission_denied(tmp_path):
    path, slave, echo = _junk_pty()
    try:
        os.chmod(path, 0)
        proc = cli("--port", path)
    finally:
        echo.kill()
        os.close(slave)
    assert proc.returncode == 2 and "permission denied" in proc.stderr


def test_unusable_board_spec():
    proc = cli("--board", "NO_SUCH_BOARD")
    assert proc.returncode == 2 and proc.stderr.startswith(
        "error: unknown board 'NO_SUCH_BOARD' (known: "
    )


def test_a_board_still_starting_when_the_runner_knocks(unix_image, tmp_path):
    # The runner's Ctrl-C lands while the image is still starting (slowly: a
    # loaded host), and its Ctrl-A before the image reads anything. The relay
    # must not turn that Ctrl-C into a SIGINT that kills the starting image,
    # and the runner must get its raw REPL all the same.
    slow = tmp_path / "slow-micropython"
    # (A SIGINT kills it, but only once it is done with what it was doing:
    # after the runner's Ctrl-A reached it, which dies with it.)
    waiting = tmp_path / "waiting"
    slow.write_text(
        f'#!/bin/sh\ntrap \'exit 130\' INT\ntouch {waiting}\nsleep 1\nexec "{unix_image}" "$@"\n'
    )
    slow.chmod(0o755)
    board = subprocess.Popen(
        [sys.executable, "-m", "tests_hw.runner.unixboard", str(slow)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
        # (as in a terminal: a parent in the background may ignore SIGINT,
        # and its children inherit that)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        port = board.stdout.readline().split()[4]
        while not waiting.exists():
            time.sleep(0.01)
        session = Session(port)
        try:
            session.enter_raw_repl(soft_reset=False)
            assert session.exec("print(6 * 7)").output.strip() == b"42"
        finally:
            session.close()
    finally:
        board.kill()
        board.wait()

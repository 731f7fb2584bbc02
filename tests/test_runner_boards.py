"""Several boards at once, boards behind RFC 2217 / raw TCP, the pytest
plugin with JUnit, the CLI's JSON, and (when its image is built) QEMU."""

import json
import subprocess
import sys

import pytest

from tests_hw.runner import errors as runner_errors
from tests_hw.runner.targets import PROJECT, PortTarget, board_target, make_targets

SLEEPY = "import time\ntime.sleep(0.3)\nprint('ok')\n", "ok\n"


def _suite(device_suite, n=4):
    for i in range(n):
        device_suite(f"test_{i}.py", *SLEEPY)


def test_two_boards_split_the_suite(unix_board, device_suite, run_suite):
    _suite(device_suite, 6)
    a, b = unix_board(label="A"), unix_board(label="B")
    results = run_suite([a, b], device_suite.dir, mode="split")
    seen = {k: (r.status, r.message, r.recovery) for k, r in results.items()}
    assert len(results) == 6 and all(r.status == "pass" for r in results.values()), seen
    assert {board for _, board in results} == {"A", "B"}, seen  # both boards did work


def test_two_boards_each_run_everything(unix_board, device_suite, run_suite):
    _suite(device_suite, 2)
    results = run_suite(
        [unix_board(label="A"), unix_board(label="B")], device_suite.dir, mode="each"
    )
    assert sorted(results) == [
        ("test_0.py", "A"),
        ("test_0.py", "B"),
        ("test_1.py", "A"),
        ("test_1.py", "B"),
    ]
    assert all(r.status == "pass" for r in results.values())


def test_cli_summary_reaches_stdout_with_parallel_boards(unix_image, device_suite):
    # Boards open their ports from parallel threads: nothing there may swap
    # the process-wide sys.stdout (a redirect once swallowed this summary).
    _suite(device_suite, 2)
    board = f"UNIX={unix_image}"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests_hw.runner",
            "--board",
            board,
            "--board",
            board,
            "--mode",
            "each",
            str(device_suite.dir),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("leaks=0 pass=4 "), (run.stdout, run.stderr)


@pytest.fixture
def exported_board(unix_image):
    """export(raw) -> URL of a unix board behind the TCP bridge (rfc2217:// or socket://)."""
    procs = []

    def export(raw=False):
        board = subprocess.Popen(
            [sys.executable, "-m", "tests_hw.runner.unixboard", unix_image],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(board)
        port = board.stdout.readline().split()[4]
        bridge = subprocess.Popen(
            [sys.executable, "-m", "tests_hw.runner.rfc2217_bridge", port]
            + (["--raw"] if raw else []),
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(bridge)
        address = bridge.stdout.readline().split()[-1]
        return ("socket://" if raw else "rfc2217://") + address

    yield export
    for p in procs:
        p.kill()
        p.wait()


@pytest.mark.parametrize("raw", [False, True], ids=["rfc2217", "socket"])
def test_board_over_the_network(exported_board, device_suite, run_suite, raw):
    device_suite("test_a_hang.py", "# timeout: 1\nwhile True:\n    pass\n")
    device_suite("test_b.py", *SLEEPY)
    results = run_suite([PortTarget(exported_board(raw))], device_suite.dir)
    assert results["test_a_hang.py"].status == "timeout"
    assert results["test_b.py"].status == "pass"


def test_cli_json_report(unix_image, device_suite, tmp_path):
    device_suite("test_ok.py", *SLEEPY)
    device_suite("test_bad.py", "print('no')\n", exp="yes\n")
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests_hw.runner",
            str(device_suite.dir),
            "--board",
            f"UNIX={unix_image}",
            "--board",
            f"UNIX={unix_image}",
            "--mode",
            "each",
            "--json",
            str(out),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(out.read_text())
    assert report["summary"]["pass"] == 2 and report["summary"]["fail"] == 2
    assert {b["label"] for b in report["boards"]} == {"UNIX#1", "UNIX#2"}
    bad = [t for t in report["tests"] if t["test"] == "test_bad.py"][0]
    assert "-yes\n+no\n" in bad["diff"] and bad["duration"] > 0 and bad["heap_before"] > 0


def test_pytest_plugin_items_and_junit(unix_image, device_suite, plugin_pytest):
    device_suite("test_ok.py", *SLEEPY)
    device_suite("test_bad.py", "print('no')\n", exp="yes\n")
    device_suite("test_skipped.py", "print('SKIP')\n")
    proc, junit = plugin_pytest(
        "--board", f"UNIX={unix_image}", "--board", f"UNIX={unix_image}", "--mode", "each"
    )
    assert "2 failed, 2 passed, 2 skipped" in proc.stdout, proc.stdout + proc.stderr
    xml = junit.read_text()
    assert 'name="test_bad.py[UNIX#2]"' in xml and "-yes" in xml
    assert '<property name="board" value="UNIX#1"' in xml


def test_qemu_hang_restarts_the_emulator_and_two_boards_run_in_parallel(
    qemu_image, device_suite, run_suite
):
    device_suite("test_a_hang.py", "# timeout: 2\nx = 0\nwhile True:\n    x += 1\n")
    device_suite("test_b.py", "print(sum(range(10)))\n", exp="45\n")
    device_suite("test_c.py", "import machine\nprint('reset')\nmachine.reset()\n", exp="reset\n")
    device_suite("test_d.py", "print('after')\n", exp="after\n")
    a = board_target(f"QEMU_MPS2_AN385={qemu_image}", label="Q1")
    b = board_target(f"QEMU_MPS2_AN385={qemu_image}", label="Q2")
    results = run_suite([a, b], device_suite.dir, mode="each")
    for board in ("Q1", "Q2"):
        assert results[("test_a_hang.py", board)].status == "timeout"
        assert results[("test_b.py", board)].status == "pass"
        assert results[("test_d.py", board)].status == "pass"
    assert a.process is None and b.process is None


def test_qemu_over_rfc2217(qemu_image, device_suite, run_suite):
    target = board_target(f"QEMU_MPS2_AN385={qemu_image}")
    target.start()
    bridge = subprocess.Popen(
        [sys.executable, "-m", "tests_hw.runner.rfc2217_bridge", target.pty],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = "rfc2217://" + bridge.stdout.readline().split()[-1]
        device_suite("test_b.py", "print(sum(range(10)))\n", exp="45\n")
        device_suite("test_cpy.py", "# expect: cpython\nprint([i * i for i in range(5)])\n")
        results = run_suite([PortTarget(url)], device_suite.dir)
    finally:
        bridge.kill()
        bridge.wait()
        target.close()
    assert results["test_b.py"].status == results["test_cpy.py"].status == "pass"


def test_a_port_target_takes_what_the_emulator_behind_it_lacks(monkeypatch):
    # ci/esp32_qemu.py says what Espressif's QEMU lacks; the runner skips on it as for the
    # emulators it starts itself.
    monkeypatch.setenv("HWTEST_EMULATOR_LACKS", json.dumps({"lightsleep": "never wakes"}))
    (target,) = make_targets(ports=["socket://localhost:5555"])
    assert target.lacks == {"lightsleep": "never wakes"}
    monkeypatch.delenv("HWTEST_EMULATOR_LACKS")
    (target,) = make_targets(ports=["socket://localhost:5555"])
    assert target.lacks == {}


def test_a_malformed_emulator_lacks_is_one_line(monkeypatch):
    monkeypatch.setenv("HWTEST_EMULATOR_LACKS", "lightsleep")
    with pytest.raises(runner_errors.UsageError, match="^HWTEST_EMULATOR_LACKS must be a JSON"):
        make_targets(ports=["socket://localhost:5555"])


def test_a_port_target_takes_the_emulators_slowness(monkeypatch):
    # test_tcp takes ~85 s in Espressif's QEMU: its time limit stretches as for rp2040js's.
    monkeypatch.setenv("HWTEST_EMULATOR_SLOWNESS", "5")
    (target,) = make_targets(ports=["socket://localhost:5555"])
    assert target.slowness == 5.0
    monkeypatch.delenv("HWTEST_EMULATOR_SLOWNESS")
    (target,) = make_targets(ports=["socket://localhost:5555"])
    assert target.slowness == 1.0
    for bad in ("fast", "0.5", "nan"):
        monkeypatch.setenv("HWTEST_EMULATOR_SLOWNESS", bad)
        with pytest.raises(runner_errors.UsageError, match="^HWTEST_EMULATOR_SLOWNESS must be"):
            make_targets(ports=["socket://localhost:5555"])


def test_after_a_hard_reset_the_port_is_only_listened_to_until_the_prompt():
    # Typed at while it starts, the ESP32 under Espressif's QEMU panics and reboots again.
    import socket
    import threading
    import time

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    heard = []

    def board():
        conn, _ = server.accept()
        conn.sendall(b"entry 0x400805cc\r\n")
        conn.settimeout(0.5)
        try:
            heard.append(conn.recv(100))
        except socket.timeout:
            heard.append(b"")
        conn.sendall(b"MicroPython v1.28.0\r\n>>> ")
        conn.settimeout(2)
        try:
            heard.append(conn.recv(100))
        except socket.timeout:
            heard.append(b"")
        conn.close()

    thread = threading.Thread(target=board)
    thread.start()
    start = time.monotonic()
    PortTarget(f"socket://127.0.0.1:{server.getsockname()[1]}")._let_it_boot(timeout=5)
    took = time.monotonic() - start
    thread.join()
    server.close()
    assert heard == [b"", b""]  # nothing typed, before the prompt or after
    assert 0.4 < took < 4

"""The device suite through a labgrid farm started here on 127.0.0.1 (tests_hw.farm):
labgrid-coordinator, labgrid-exporter serving two QEMU boards' ptys through ser2net, a
power switch per board; the runner acquires places with `--board labgrid:<place>`.
Faults: the exporter killed mid-suite, a place held by someone else, no coordinator, a
board deaf to Ctrl-C (power-cycled through labgrid's power driver). After each farm is
stopped, no process it started is left."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests_hw.farm import LocalFarm
from tests_hw.runner.targets import PROJECT

pytestmark = pytest.mark.skipif(
    not (
        shutil.which("labgrid-coordinator")
        or os.path.exists(os.path.join(os.path.dirname(sys.executable), "labgrid-coordinator"))
    )
    or not os.path.exists("/usr/sbin/ser2net"),
    reason="labgrid (requirements.txt) and ser2net (Debian) are needed: make setup",
)


@pytest.fixture
def farm(qemu_image):
    farms = []

    def start(places=("qemu-a", "qemu-b")):
        f = LocalFarm(places, image=qemu_image).start()
        farms.append(f)
        return f

    yield start
    for f in farms:
        f.stop()
        assert f.leftovers() == [], "processes the farm started are still running"


def env_file(path, farm, places):
    """A labgrid environment file naming the farm's places, as a farm user keeps one."""
    lines = ["options:", f"  coordinator_address: '{farm.coordinator}'", "targets:"]
    for place in places:
        lines += [
            f"  {place}-target:",
            "    resources:",
            "      RemotePlace:",
            f"        name: {place}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def runner(farm, *args, places=("qemu-a", "qemu-b")):
    argv = [sys.executable, "-m", "tests_hw.runner", "--coordinator", farm.coordinator]
    for place in places:
        argv += ["--board", f"labgrid:{place}"]
    return argv + list(args)


def test_the_suite_on_two_places_at_once(farm, tmp_path):
    f = farm()
    report = tmp_path / "out.json"
    run = subprocess.run(
        runner(f, "--json", str(report)), cwd=PROJECT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    results = json.loads(report.read_text())
    by_board = {}
    for test in results["tests"]:
        by_board.setdefault(test["board"], []).append(test["status"])
    assert set(by_board) == {"labgrid:qemu-a", "labgrid:qemu-b"}  # split across both places
    assert all(status in ("pass", "skip") for statuses in by_board.values() for status in statuses)
    assert len(results["tests"]) == len(list((PROJECT / "tests_hw" / "suite").glob("test_*.py")))
    for board in results["boards"]:
        assert board["target"].startswith(f"{board['label']} (rfc2217://127.0.0.1:")
        assert board["target"].endswith(f"?ign_set_control via {f.coordinator}, power switch)")
    assert "acquired place qemu-a" in run.stderr and "released place qemu-b" in run.stderr
    assert f.acquired_by("qemu-a") is None and f.acquired_by("qemu-b") is None


def test_exporter_killed_mid_suite(farm, device_suite, tmp_path):
    device_suite("test_a_first.py", "print('first')\n", exp="first\n")
    device_suite(
        "test_b_long.py",
        "# timeout: 60\nimport time\nprint('started')\nfor i in range(300):\n"
        "    time.sleep_ms(100)\nprint('done')\n",
        exp="started\ndone\n",
    )
    device_suite("test_c_after.py", "print('after')\n", exp="after\n")
    f = farm(("qemu-a",))
    report = tmp_path / "out.json"
    env = env_file(tmp_path / "farm.yaml", f, ["qemu-a"])  # the place named by labgrid's env file
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests_hw.runner",
            "--lg-env",
            str(env),
            str(device_suite.dir),
            "--trace",
            "--json",
            str(report),
        ],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []

    def watch():  # kill the exporter as the long test says it started
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("labgrid:qemu-a test_b_long.py| started"):
                f.kill_exporter()

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    proc.wait(timeout=120)  # stderr is the watcher's to read
    watcher.join(10)
    stdout = proc.stdout.read()
    took = time.monotonic() - started
    assert proc.returncode == 1, stdout + "".join(seen)
    results = {t["test"]: t for t in json.loads(report.read_text())["tests"]}
    assert results["test_a_first.py"]["status"] == "pass"  # what ran before is kept
    long = results["test_b_long.py"]
    assert long["status"] == "error" and long["output"].startswith("started"), long["message"]
    assert (
        "labgrid place qemu-a: its console is gone (exporter farm stopped or lost it)"
        in long["message"]
    )
    assert results["test_c_after.py"]["status"] in ("error", "aborted")
    assert "qemu-a" in results["test_c_after.py"]["message"]
    assert took < 60  # not the long test's 30 s, nor its timeout
    assert f.acquired_by("qemu-a") is None  # released although its exporter is gone
    assert "released place qemu-a" in "".join(seen)


def test_pytest_with_labgrids_lg_env(farm, device_suite, plugin_pytest, tmp_path):
    device_suite("test_a_first.py", "print('first')\n", exp="first\n")
    device_suite("test_b_bad.py", "print('no')\n", exp="yes\n")
    f = farm()
    env = env_file(tmp_path / "farm.yaml", f, ["qemu-a", "qemu-b"])
    proc, junit = plugin_pytest(
        "--lg-env", str(env), "--mode", "each", env=dict(os.environ, PYTHONPATH=str(PROJECT))
    )
    assert "2 failed, 2 passed" in proc.stdout, proc.stdout + proc.stderr
    xml = junit.read_text()
    assert (
        'name="test_b_bad.py[labgrid:qemu-b]"' in xml
        and '<property name="board" value="labgrid:qemu-a"' in xml
    )
    assert f.acquired_by("qemu-a") is None and f.acquired_by("qemu-b") is None


def test_ctrl_c_releases_the_places(farm, device_suite):
    device_suite("test_long.py", "# timeout: 60\nimport time\nprint('started')\ntime.sleep(30)\n")
    f = farm()
    proc = subprocess.Popen(
        runner(f, str(device_suite.dir), "--trace", "--mode", "each"),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it, also when this run's own parent
        # ignores SIGINT (a background job, nohup): Python would inherit that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "test_long.py| started" in line:
            proc.send_signal(signal.SIGINT)
            break
    seen += proc.stderr.readlines()
    assert proc.wait(timeout=60) == 130, "".join(seen)
    proc.stdout.close()
    assert "interrupted\n" in seen
    assert f.acquired_by("qemu-a") is None and f.acquired_by("qemu-b") is None


def test_a_place_held_by_someone_else(farm, device_suite):
    device_suite("test_a_first.py", "print('first')\n", exp="first\n")
    f = farm()
    f.client("-p", "qemu-b", "acquire", env=dict(os.environ, LG_USERNAME="someone-else"))
    started = time.monotonic()
    run = subprocess.run(
        runner(f, str(device_suite.dir)), cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert time.monotonic() - started < 30
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith("error: Place qemu-b is already acquired by ")
    assert "/someone-else" in errors[0]
    assert "pass=" not in run.stdout
    assert f.acquired_by("qemu-b").endswith("/someone-else")  # still theirs
    assert f.acquired_by("qemu-a") is None  # all or none: the free place was given back


def test_no_coordinator_running(device_suite):
    device_suite("test_a_first.py", "print('first')\n", exp="first\n")
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests_hw.runner",
            "--coordinator",
            f"127.0.0.1:{port}",
            "--board",
            "labgrid:qemu-a",
            str(device_suite.dir),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"error: labgrid coordinator 127.0.0.1:{port}: Could not connect to coordinator "
        f"(is labgrid-coordinator running? --coordinator HOST:PORT or LG_COORDINATOR "
        f"says where)"
    )


def test_a_board_deaf_to_ctrl_c_is_power_cycled_by_labgrid(farm, device_suite, tmp_path):
    device_suite(
        "test_a_deaf.py",
        "# timeout: 2\nimport micropython\nmicropython.kbd_intr(-1)\nprint('deaf')\n"
        "while True:\n    pass\n",
        exp="never\n",
    )
    device_suite("test_b_next.py", "print('back')\n", exp="back\n")
    f = farm(("qemu-a",))
    report = tmp_path / "out.json"
    run = subprocess.run(
        runner(f, str(device_suite.dir), "--json", str(report), places=("qemu-a",)),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    results = {t["test"]: t for t in json.loads(report.read_text())["tests"]}
    deaf = results["test_a_deaf.py"]
    assert deaf["status"] == "timeout", run.stderr
    assert "hard reset" in deaf["recovery"] and "reconnected" in deaf["recovery"]
    assert results["test_b_next.py"]["status"] == "pass"
    assert f.boards["qemu-a"].boots == 2  # the switch turned it off and on: a fresh QEMU

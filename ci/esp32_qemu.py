"""Boot an ESP32 image in Espressif's QEMU and run a command against its serial line.

Usage: python3 ci/esp32_qemu.py BOARD [--port N] -- COMMAND...
The board's firmware.bin (firmware/images/BOARD/) is merged into a whole flash image with
esptool, QEMU (board.json's "qemu": qemu-system-xtensa -machine esp32 ...) serves the
console on tcp://localhost:N, and once the REPL answers COMMAND runs (the device suite:
--port socket://localhost:N). QEMU is stopped afterwards whatever happens; the exit
status is COMMAND's. QEMU's output goes to build/ci-out/qemu-BOARD.log.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from firmware import boards  # noqa: E402
from firmware.paths import IMAGES_DIR  # noqa: E402

BOOT_TIMEOUT = 120.0  # the first boot also makes the filesystem, slowly under TCG
# eFuses of a revision-3 ESP32 (ESP-IDF's `idf.py qemu` writes the same): the IDF refuses
# to start on the revision 0 that blank eFuses would say.
EFUSE_SIZE = 124
EFUSE_BITS = {13: 0x80, 22: 0x10}
FLASH_OFFSET = "0x1000"  # where firmware.bin (bootloader, partitions, app) starts


class Failed(Exception):
    """One line for the user."""


def efuse_image(path):
    data = bytearray(EFUSE_SIZE)
    for offset, bits in EFUSE_BITS.items():
        data[offset] = bits
    Path(path).write_bytes(bytes(data))
    return path


def flash_image(firmware_bin, path, size):
    """firmware.bin placed at 0x1000 of a whole flash of `size` (e.g. "4MB"), 0xFF elsewhere."""
    if not Path(firmware_bin).is_file():
        raise Failed(f"{firmware_bin} does not exist: build it first: ci/build_board.sh")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "esptool",
            "--chip",
            "esp32",
            "merge-bin",
            "-o",
            str(path),
            "--pad-to-size",
            size,
            FLASH_OFFSET,
            str(firmware_bin),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise Failed(f"esptool merge-bin failed: {last[0]}")
    return path


def qemu_command(board, flash, efuse, port):
    qemu = board.qemu or {}
    if "system" not in qemu:
        raise Failed(f'{board.name}: board.json has no "qemu" block')
    return [
        qemu["system"],
        *qemu.get("args", []),
        "-drive",
        f"file={flash},if=mtd,format=raw",
        "-drive",
        f"file={efuse},if=none,format=raw,id=efuse",
        "-global",
        "driver=nvram.esp32.efuse,property=drive,value=efuse",
        "-serial",
        # wait=on: the guest starts only once wait_for_repl() is connected, so it sees the
        # whole boot and never needs to poke the board (see there).
        f"tcp:127.0.0.1:{port},server=on,wait=on",
    ]


def wait_for_repl(port, process, timeout=BOOT_TIMEOUT):
    """Until the board prints the REPL prompt; Failed if QEMU exits or time runs out.
    Nothing is sent: input while the app starts (after the bootloader's "entry 0x...") was
    seen to panic it (LoadProhibited in task_wdt_isr, entered as esp_task_wdt_init
    allocates its interrupt) and reboot it, again at every poke, so a REPL never came.
    QEMU holds the guest until this connects (wait=on): the prompt is never missed."""
    deadline = time.monotonic() + timeout
    seen = b""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failed(f"QEMU exited with status {process.returncode} before the REPL answered")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as line:
                line.settimeout(0.5)
                while time.monotonic() < deadline:
                    try:
                        chunk = line.recv(4096)
                    except socket.timeout:
                        if process.poll() is not None:
                            break
                        continue
                    if not chunk:
                        break
                    seen = (seen + chunk)[-4096:]
                    if b">>> " in seen:
                        return
        except OSError:
            time.sleep(0.2)  # QEMU not listening yet
    tail = seen.decode("utf-8", "replace").strip().splitlines()[-1:] or ["nothing"]
    raise Failed(f"no REPL on tcp port {port} within {timeout:g}s (last output: {tail[0]!r})")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run(board_name, port, command, work, images_dir=IMAGES_DIR, boot_timeout=BOOT_TIMEOUT):
    board = boards.get(board_name)
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    flash = flash_image(
        Path(images_dir) / board.name / "firmware.bin",
        work / f"flash-{board.name}.bin",
        (board.qemu or {}).get("flash_size", "4MB"),
    )
    argv = qemu_command(board, flash, efuse_image(work / f"efuse-{board.name}.bin"), port)
    log = open(work / f"qemu-{board.name}.log", "wb")
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as e:
        log.close()
        raise Failed(
            f"cannot start {argv[0]}: {e.strerror} (ci/esp_idf.sh qemu installs Espressif's)"
        ) from None
    try:
        try:
            wait_for_repl(port, process, boot_timeout)
        except Failed as e:
            said = _last_line(work / f"qemu-{board.name}.log")
            raise Failed(f"{e}; QEMU said: {said}" if said else str(e)) from None
        print(f"{board.name} booted in QEMU, console on socket://localhost:{port}", flush=True)
        # What this emulator cannot do, for the runner to skip, and how slow it is, for the
        # runner's time limits (it starts no ESP32 QEMU itself).
        env = dict(os.environ)
        if board.emulator_lacks:
            env["HWTEST_EMULATOR_LACKS"] = json.dumps(board.emulator_lacks)
        if (board.qemu or {}).get("slowness"):
            env["HWTEST_EMULATOR_SLOWNESS"] = str(board.qemu["slowness"])
        return subprocess.run(command, env=env).returncode
    finally:
        stop(process)
        log.close()


def _last_line(path):
    # e.g. "requested NIC (anonymous, model open_eth) was not created"
    lines = Path(path).read_text(errors="replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


def main(argv):
    if "--" not in argv or argv.index("--") < 1 or argv.index("--") == len(argv) - 1:
        raise SystemExit(__doc__.strip().splitlines()[2])
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    port = 5555
    if len(options) == 3 and options[1] == "--port":
        port = int(options[2])
    elif len(options) != 1:
        raise SystemExit(__doc__.strip().splitlines()[2])
    # A CI step's timeout ends this with SIGTERM: as an exception, so QEMU is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return run(options[0], port, command, ROOT / "build" / "ci-out")
    except (Failed, boards.UnknownBoard) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make run`: boot a board's image where it runs here and run the blink demo on it.

A QEMU or rp2040js board is driven over its serial port (a pty) through the project's serial
raw-REPL client (firmware.serial_repl, mpremote's transport underneath), as a real
board would be; the UNIX image simply runs the file.
"""

import subprocess
import sys
from pathlib import Path

from . import boards
from .build import image_dir
from .emulator import start_qemu, start_rp2040js
from .errors import DeviceError, FirmwareError, ImageMissing

DEMO = Path(__file__).with_name("demo_blink.py")
DEMO_TIMEOUT = 60.0


def _echo(data):
    sys.stdout.write(data.decode(errors="replace"))
    sys.stdout.flush()


def _run_over_serial(port, script, timeout=DEMO_TIMEOUT, slowness=1.0):
    from .serial_repl import Session

    timeout *= slowness
    with Session(port) as session:
        # qemu answers a new pty within ~1 s; rp2040js runs at a few % of a real Pico's speed
        session.enter_raw_repl(soft_reset=False, timeout=10.0 * slowness)
        result = session.exec(script, timeout=timeout, on_output=_echo)
    if result.timed_out:
        raise DeviceError(f"the demo did not finish within {timeout:g} s on the board")
    if result.error:
        raise DeviceError(
            "the demo failed on the board:\n" + result.error.decode(errors="replace")
        )


def run_demo(board_name, asyncio_c=True, extras="all", primitives=True):
    board = boards.get(board_name)
    folder = image_dir(board, asyncio_c, extras, primitives=primitives)
    script = DEMO.read_bytes()
    if board.runs_here == "native":
        binary = folder / "micropython"
        if not binary.is_file():
            raise ImageMissing(
                f"{binary} does not exist", hint=f"make firmware BOARD={board.name}"
            )
        done = subprocess.run([str(binary), str(DEMO)])
        if done.returncode:
            raise DeviceError(f"the demo exited with status {done.returncode}")
        return
    if board.runs_here == "rp2040js":
        with start_rp2040js(board, folder / "firmware.uf2") as emu:
            print(
                f"{board.name} booted in rp2040js, its USB serial "
                f"REPL on {emu.port}; running {DEMO.name} over it"
            )
            _run_over_serial(
                emu.port, script, slowness=float((board.rp2040js or {}).get("slowness", 1))
            )
        return
    if board.runs_here == "espressif-qemu":
        raise FirmwareError(
            f"{board.name} boots in Espressif's QEMU, which this tool does not start",
            hint=f"python3 ci/esp32_qemu.py {board.name} -- "
            f"mpremote connect socket://localhost:5555 run {DEMO}",
        )
    if board.runs_here != "qemu":
        raise FirmwareError(
            f"{board.name} needs hardware to run",
            hint=f"flash it (make deploy BOARD={board.name}) and run: mpremote run {DEMO}",
        )
    with start_qemu(board, folder / "firmware.elf") as emu:
        print(f"{board.name} booted in QEMU, console on {emu.port}; running {DEMO.name} over it")
        _run_over_serial(emu.port, script)

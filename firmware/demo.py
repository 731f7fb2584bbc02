"""`make run`: boot a board's image where it runs here and run the blink demo on it.

A QEMU board is driven over its serial port (a pty) through mpremote's raw-REPL
transport, as a real board would be; the UNIX image simply runs the file.
"""

import subprocess
import sys
from pathlib import Path

from . import boards
from .build import image_dir
from .deploy.serial_repl import open_transport
from .emulator import start_qemu
from .errors import DeviceError, FirmwareError, ImageMissing

DEMO = Path(__file__).with_name("demo_blink.py")


def _run_over_serial(port, script, timeout=60):
    transport = open_transport(port)
    from mpremote.transport import TransportError

    try:
        transport.enter_raw_repl(soft_reset=False)
        out, err = transport.exec_raw(script, timeout=timeout, data_consumer=lambda b: sys.stdout.write(b.decode(errors="replace")) or sys.stdout.flush())
        if err:
            raise DeviceError("the demo failed on the board:\n" + err.decode(errors="replace"))
        transport.exit_raw_repl()
    except TransportError as exc:
        raise DeviceError(f"serial conversation with the board failed: {exc}") from exc
    finally:
        transport.close()


def run_demo(board_name, asyncio_c=True):
    board = boards.get(board_name)
    folder = image_dir(board, asyncio_c)
    script = DEMO.read_bytes()
    if board.runs_here == "native":
        binary = folder / "micropython"
        if not binary.is_file():
            raise ImageMissing(f"{binary} does not exist", hint=f"make firmware BOARD={board.name}")
        done = subprocess.run([str(binary), str(DEMO)])
        if done.returncode:
            raise DeviceError(f"the demo exited with status {done.returncode}")
        return
    if board.runs_here != "qemu":
        raise FirmwareError(
            f"{board.name} needs hardware to run",
            hint=f"flash it (make deploy BOARD={board.name}) and run: mpremote run {DEMO}",
        )
    with start_qemu(board, folder / "firmware.elf") as emu:
        print(f"{board.name} booted in QEMU, console on {emu.port}; running {DEMO.name} over it")
        _run_over_serial(emu.port, script)

"""What deploy says to a running MicroPython over its serial port (through the project's
one serial client, firmware.serial_repl): reboot into the bootloader, ask who it is."""

import ast
import time

from ..errors import DeviceError, DeviceUnresponsive, NotMicroPython

# Run on the board in the raw REPL; prints one Python literal the host parses.
IDENTITY_PROBE = (
    "import asyncio\n"
    "try:\n"
    " import _buildinfo\n"
    " b = _buildinfo.build_id\n"
    "except ImportError:\n"
    " b = None\n"
    "print(repr((getattr(asyncio, '__version__', None), b)))\n"
)


def enter_bootloader(port, baudrate=115200):
    """Interrupt whatever runs, then machine.bootloader(); the port vanishes right after."""
    from ..serial_repl import Session  # pyserial and mpremote: not needed for a dry run

    with Session(port, baudrate) as session:
        session.write(b"\r\x03\x03")  # two Ctrl-C: stop a running program, get a prompt
        session.drain()
        session.write(b"import machine; machine.bootloader()\r")
        time.sleep(0.5)


def read_identity(port, baudrate=115200):
    """(asyncio.__version__, _buildinfo.build_id) as the running image reports them."""
    from ..serial_repl import Session

    with Session(port, baudrate) as session:
        try:
            session.enter_raw_repl(soft_reset=False, timeout=5.0)
            result = session.exec(IDENTITY_PROBE, timeout=5.0)
        except (NotMicroPython, DeviceUnresponsive) as exc:
            raise DeviceError(
                f"{port}: no MicroPython raw REPL answered: {_reason(port, exc)}"
            ) from None
    if result.error or result.timed_out:
        lines = result.error.decode(errors="replace").strip().splitlines() or ["did not finish"]
        raise DeviceError(f"{port}: the identity probe failed on the board: {lines[-1]}")
    text = result.output.decode(errors="replace").strip()
    try:
        version, build_id = ast.literal_eval(text.splitlines()[-1])
    except (ValueError, SyntaxError, IndexError, TypeError):
        raise DeviceError(f"{port}: unexpected answer to the identity probe: {text!r}") from None
    return version, build_id


def _reason(port, exc):
    text = str(exc)
    return text[len(port) + 2 :] if text.startswith(f"{port}: ") else text

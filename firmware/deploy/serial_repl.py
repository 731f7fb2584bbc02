"""Talking to a running MicroPython over its serial port: reboot into the bootloader, ask who it is."""

import ast
import time

from ..errors import DeviceError

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
    import serial  # pyserial

    try:
        with serial.Serial(port, baudrate, timeout=1) as link:
            link.write(b"\r\x03\x03")  # two Ctrl-C: stop a running program, get a prompt
            time.sleep(0.2)
            link.reset_input_buffer()
            link.write(b"import machine; machine.bootloader()\r")
            link.flush()
            time.sleep(0.5)
    except serial.SerialException as exc:
        raise DeviceError(f"{port}: cannot send machine.bootloader(): {exc}") from None


def open_transport(port, baudrate=115200):
    """mpremote's serial transport on `port`, or a one-line DeviceError."""
    try:
        from mpremote.transport_serial import SerialTransport
    except ImportError:
        raise DeviceError("mpremote is not installed", hint="run: make setup") from None
    try:
        # A read timeout matters on ptys (emulators): mpremote then reads without polling.
        return SerialTransport(port, baudrate=baudrate, timeout=1)
    except Exception as exc:  # mpremote raises its own TransportError or serial's errors
        raise DeviceError(f"{port}: cannot open: {exc}") from None


def read_identity(port, baudrate=115200):
    """(asyncio.__version__, _buildinfo.build_id) as the running image reports them."""
    from mpremote.transport import TransportError, TransportExecError

    transport = open_transport(port, baudrate)
    try:
        transport.enter_raw_repl(soft_reset=False, timeout_overall=5)
        output = transport.exec(IDENTITY_PROBE)
        transport.exit_raw_repl()
    except TransportExecError as exc:
        last = exc.error_output.strip().splitlines()[-1] if exc.error_output.strip() else exc
        raise DeviceError(f"{port}: the identity probe failed on the board: {last}") from None
    except TransportError as exc:
        raise DeviceError(f"{port}: no MicroPython raw REPL answered: {exc}") from None
    finally:
        transport.close()
    text = output.decode(errors="replace").strip()
    try:
        version, build_id = ast.literal_eval(text.splitlines()[-1])
    except (ValueError, SyntaxError, IndexError, TypeError):
        raise DeviceError(f"{port}: unexpected answer to the identity probe: {text!r}") from None
    return version, build_id

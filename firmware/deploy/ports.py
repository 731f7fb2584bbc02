"""Finding the board's serial port: by USB vendor:product id, one candidate or a clear error."""

import time

from .errors import AmbiguousPort, PortNotFound

# USB ids a board shows while it runs MicroPython (or, for ESP32, its USB-UART bridge).
MICROPYTHON_PYBOARD = [(0xF055, 0x9800), (0xF055, 0x9801), (0xF055, 0x9802)]  # CDC(+MSC/HID)
MICROPYTHON_RP2 = [(0x2E8A, 0x0005)]
ESP32_BRIDGES = [
    (0x10C4, 0xEA60),  # Silicon Labs CP210x
    (0x1A86, 0x7523),  # WCH CH340
    (0x1A86, 0x55D4),  # WCH CH9102
    (0x0403, 0x6001),
    (0x0403, 0x6010),
    (0x0403, 0x6014),
    (0x0403, 0x6015),  # FTDI
    (0x303A, 0x1001),  # Espressif USB-Serial/JTAG
]


def list_serial_ports():
    """[(device, vid, pid, serial_number, description)] of the machine's serial ports."""
    from serial.tools import list_ports  # pyserial; imported late so dry runs need no pyserial

    return [
        (p.device, p.vid, p.pid, p.serial_number, p.description or "")
        for p in list_ports.comports()
    ]


def candidates(usb_ids, ports):
    return [p for p in ports if (p[1], p[2]) in usb_ids]


def describe(port):
    device, vid, pid, serial, description = port
    ids = f"{vid:04x}:{pid:04x}" if vid is not None else "no USB id"
    serial_part = ", serial " + serial if serial else ""
    description_part = ", " + description if description else ""
    return f"{device} ({ids}{serial_part}{description_part})"


def choose(board, usb_ids, ports):
    """The single port that looks like `board`; otherwise say what was seen."""
    found = candidates(usb_ids, ports)
    wanted = ", ".join(f"{v:04x}:{p:04x}" for v, p in usb_ids)
    if not found:
        seen = "; ".join(describe(p) for p in ports) or "none"
        raise PortNotFound(
            f"no serial port found for {board} (looked for USB ids {wanted}; ports seen: {seen})",
            hint=f"plug the board in, or name it: make deploy BOARD={board} PORT=/dev/ttyACM0",
        )
    if len(found) > 1:
        raise AmbiguousPort(
            f"{len(found)} possible ports for {board}: " + "; ".join(describe(p) for p in found),
            hint=f"pick one: make deploy BOARD={board} PORT={found[0][0]}",
        )
    return found[0]


def wait_for_port(usb_ids, serial_number=None, timeout=20.0, poll=0.25, lister=list_serial_ports):
    """After a reset the board re-enumerates; return its device path once it is back."""
    deadline = time.monotonic() + timeout
    while True:
        for port in candidates(usb_ids, lister()):
            if serial_number is None or port[3] == serial_number:
                return port[0]
        if time.monotonic() >= deadline:
            raise PortNotFound(
                f"the board did not come back as a serial port within {timeout:.0f} s"
            )
        time.sleep(poll)

"""Export a serial port over TCP, as a board farm or ser2net would:
`python3 -m tests_hw.runner.rfc2217_bridge PORT [--listen 127.0.0.1:0] [--raw]`.

RFC 2217 (pyserial's PortManager) by default, reached as rfc2217://host:port;
with --raw plain bytes, reached as socket://host:port. Prints
`listening on HOST:PORT` once ready. One client at a time.
"""

import argparse
import socket
import sys
import threading

import serial
import serial.rfc2217


def _pump_serial_to_client(port, client, manager, stop):
    while not stop.is_set():
        try:
            data = port.read(port.in_waiting or 1)
        except (OSError, serial.SerialException):
            break
        if data:
            try:
                client.sendall(b"".join(manager.escape(data)) if manager else data)
            except OSError:
                break
    stop.set()


class _ModemLinesOptional:
    """The port as PortManager sees it: a pty (qemu, the unix board) has no
    modem lines, and their ioctls fail; report idle lines instead."""

    _LINES_IN = {"cts": True, "dsr": True, "ri": False, "cd": True}
    _LINES_OUT = ("dtr", "rts", "break_condition")

    def __init__(self, port):
        object.__setattr__(self, "_port", port)

    def __getattr__(self, name):
        if name in self._LINES_IN:
            try:
                return getattr(self._port, name)
            except OSError:
                return self._LINES_IN[name]
        return getattr(self._port, name)

    def __setattr__(self, name, value):
        try:
            setattr(self._port, name, value)
        except OSError:
            if name not in self._LINES_OUT:
                raise


class _Connection:
    """What PortManager writes its telnet replies to."""

    def __init__(self, sock):
        self.sock = sock

    def write(self, data):
        self.sock.sendall(data)


def serve_client(port, client, rfc2217):
    manager = (
        serial.rfc2217.PortManager(_ModemLinesOptional(port), _Connection(client))
        if rfc2217
        else None
    )
    stop = threading.Event()
    pump = threading.Thread(
        target=_pump_serial_to_client, args=(port, client, manager, stop), daemon=True
    )
    pump.start()
    while not stop.is_set():
        try:
            data = client.recv(4096)
        except OSError:
            break
        if not data:
            break
        port.write(b"".join(manager.filter(data)) if manager else data)
    stop.set()
    client.close()
    pump.join(1)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m tests_hw.runner.rfc2217_bridge", description=__doc__.splitlines()[0]
    )
    parser.add_argument("port", help="serial device to export, e.g. /dev/pts/3")
    parser.add_argument(
        "--listen", default="127.0.0.1:0", help="HOST:PORT (port 0 = any free port)"
    )
    parser.add_argument(
        "--raw", action="store_true", help="plain TCP (socket://) instead of RFC 2217"
    )
    args = parser.parse_args(argv)
    host, _, tcp_port = args.listen.rpartition(":")
    try:
        port = serial.serial_for_url(args.port, timeout=0.05, exclusive=True)
    except serial.SerialException as e:
        sys.exit(f"rfc2217_bridge: {e}")
    server = socket.create_server((host, int(tcp_port)))
    print("listening on %s:%d" % server.getsockname()[:2], flush=True)
    while True:
        client, _ = server.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            serve_client(port, client, rfc2217=not args.raw)
        except OSError:
            client.close()  # that client is gone; wait for the next


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass

"""The project's one serial raw-REPL client: a Session on a board's serial line,
kept open as long as the caller likes (qemu answers a reopened pty only on its
1 s poll, so the test runner keeps one per board).

mpremote's SerialTransport opens the line (pyserial's serial_for_url, so
device paths, rfc2217:// and socket:// all work) and writes code with
raw-paste flow control, falling back to the plain raw REPL on devices that do
not support it. Reading is done here, against a deadline: code that hangs
must not block the caller, and mpremote's reads have only per-character
timeouts (and block forever on a pty).

Output of any size is read in bounded memory when asked (exec's keep=): the end
marker is searched for in what is new, and only the last `keep` bytes are held.

Public surface:
    Session(url, baudrate=115200)   enter_raw_repl, soft_reset, exec, eval_output, close
                                    (also a context manager)
    ExecResult                      what exec returns: output, error, timed_out, duration
Every failure is a firmware.errors.DeviceError subclass with a one-line message.
"""

import contextlib
import select
import struct
import time
from dataclasses import dataclass

import serial

from .errors import (
    DeviceError,
    DeviceUnresponsive,
    InterruptFailed,
    LineLost,
    NotMicroPython,
    PortAbsent,
    PortBusy,
    PortPermission,
    PortUnavailable,
)

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
# Fixed-size protocol reads (raw-paste header, "OK") wait this long at most.
READ_TIMEOUT = 2.0
POLL_INTERVAL = 0.003
# Protocol reads wait for a banner or prompt: what comes before it is only quoted in errors.
PROTOCOL_KEEP = 4096


@dataclass
class ExecResult:
    output: bytes
    error: bytes
    timed_out: bool
    duration: float


def open_port(url, baudrate=115200):
    """mpremote's transport on url; raise a one-line PortUnavailable subclass saying why it
    failed."""
    try:
        from mpremote.transport import TransportError
        from mpremote.transport_serial import SerialTransport
    except ImportError:
        raise DeviceError("mpremote is not installed", hint="run: make setup") from None
    try:
        # (No stdout redirect around mpremote: it prints nothing without
        # wait=, and redirect_stdout is process-wide, so with boards opened
        # from parallel threads it would leave sys.stdout a StringIO.)
        transport = SerialTransport(url, baudrate=baudrate, timeout=READ_TIMEOUT)
    except (TransportError, OSError, serial.SerialException):
        _raise_open_error(url)
        raise PortUnavailable(f"{url}: cannot open the port") from None
    return transport


def _raise_open_error(url):
    # mpremote's message drops the reason; open the port again to learn it.
    try:
        port = serial.serial_for_url(url, baudrate=115200, exclusive=True, timeout=0)
    except serial.SerialException as e:
        text = str(e)
        errno = getattr(e, "errno", None)
        if (
            errno == 2
            or "No such file" in text
            or "could not open port" in text
            and "[Errno 2]" in text
        ):
            raise PortAbsent(f"{url}: no such port (unplugged? wrong name?)") from None
        if errno == 13 or "[Errno 13]" in text or "Permission denied" in text:
            raise PortPermission(
                f"{url}: permission denied (add yourself "
                "to the 'dialout' group, then log in again)"
            ) from None
        if (
            "exclusively lock" in text
            or "[Errno 11]" in text
            or "[Errno 16]" in text
            or errno == 16
        ):
            raise PortBusy(
                f"{url}: port is busy (another program, e.g. mpremote or a terminal, has it open)"
            ) from None
        if "[Errno 111]" in text or "Connection refused" in text:
            raise PortAbsent(
                f"{url}: connection refused (is the serial server running?)"
            ) from None
        raise PortUnavailable(f"{url}: {text}") from None
    except ValueError as e:
        raise PortUnavailable(f"{url}: {e}") from None
    except OSError as e:
        raise PortUnavailable(f"{url}: {e.strerror or e}") from None
    else:
        port.close()


class Session:
    def __init__(self, url, baudrate=115200):
        self.url = url
        self.transport = open_port(url, baudrate)
        self.serial = self.transport.serial
        self._pushback = b""  # bytes read past a marker, handed out first
        self.partial = b""
        self.raw_paste = True  # until the device says it cannot

    # -- low level ---------------------------------------------------------
    def write(self, data):
        try:
            self.serial.write(data)
        except (OSError, serial.SerialException) as e:
            raise LineLost(f"{self.url}: write failed: {e}") from None

    def read_available(self):
        if self._pushback:
            data, self._pushback = self._pushback, b""
            return data
        try:
            waiting = self.serial.in_waiting
            return self.serial.read(waiting) if waiting else b""
        except (OSError, serial.SerialException) as e:
            raise LineLost(f"{self.url}: read failed: {e}") from None

    def read_until(self, ending, deadline, on_data=None, keep=None, on_idle=None):
        """Bytes up to and including ending, or None (with self.partial set) at the deadline.

        on_data(bytes) is handed the bytes before `ending` as they arrive (a one-byte
        ending is never split across calls). keep: hold only the last `keep` bytes
        before `ending` (None: all of them). on_idle() is called whenever nothing
        came in; it may raise to give up waiting (say, the board died).
        """
        data = bytearray()
        # Bytes of a partly received ending can sit at the end of what is held.
        hold = None if keep is None else max(keep, len(ending) - 1)
        while True:
            chunk = self.read_available()
            if chunk:
                seen = len(data)
                data += chunk
                # Search only what is new (and where an ending split across reads starts).
                pos = data.find(ending, max(0, seen - len(ending) + 1))
                if on_data is not None and (pos < 0 or pos > seen):
                    on_data(bytes(data[seen : pos if pos >= 0 else len(data)]))
                if pos >= 0:
                    self._pushback = bytes(data[pos + len(ending) :])
                    first = 0 if keep is None else max(0, pos - keep)
                    return bytes(data[first : pos + len(ending)])
                if hold is not None and len(data) > hold:
                    del data[: len(data) - hold]
            elif time.monotonic() >= deadline:
                self.partial = bytes(data)
                return None
            else:
                if on_idle is not None:
                    on_idle()
                self._wait_for_input(POLL_INTERVAL)

    def _wait_for_input(self, limit):
        """Return when input comes, or after `limit` seconds. select() wakes us at once on a
        local port or pty: what a board prints just before its port goes (an emulator
        exiting, a USB board resetting) is lost unless read by then."""
        fd = getattr(self.serial, "fd", None)  # pyserial's POSIX ports only
        try:
            if isinstance(fd, int) and fd >= 0:
                select.select([fd], [], [], limit)
                return
        except (OSError, ValueError):
            pass  # closed under us: the next read says so
        time.sleep(limit)

    def drain(self, quiet=0.05, limit=1.0):
        """Discard input until the line has been quiet for `quiet` seconds."""
        end = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < end:
            if self.read_available():
                last = time.monotonic()
            elif time.monotonic() - last >= quiet:
                return
            else:
                time.sleep(POLL_INTERVAL)

    # -- REPL states -------------------------------------------------------
    def enter_raw_repl(self, soft_reset=True, timeout=5.0):
        """Interrupt whatever runs, enter the raw REPL, optionally soft reset.

        Leaves the raw REPL's '>' prompt unread (exec reads it). Raises NotMicroPython if
        nothing raw-REPL-like answers.
        """
        self.write(b"\r\x03\x03")
        self.drain()
        self.write(b"\r\x01")
        deadline = time.monotonic() + timeout
        if self.read_until(RAW_BANNER, deadline, keep=PROTOCOL_KEEP) is None:
            if not self.partial.rstrip().endswith(b">>>"):
                raise NotMicroPython(
                    f"{self.url}: not a MicroPython raw REPL (no "
                    f"answer to Ctrl-A; got {self.partial[-60:]!r})"
                )
            # A friendly prompt came after our Ctrl-A: the board (re)started
            # meanwhile (a Ctrl-C that landed in its start-up, an emulator a
            # loaded host starts slowly) and never saw it. Once more.
            self.write(b"\r\x01")
            deadline = time.monotonic() + timeout
            if self.read_until(RAW_BANNER, deadline, keep=PROTOCOL_KEEP) is None:
                raise NotMicroPython(
                    f"{self.url}: not a MicroPython raw REPL (no answer to Ctrl-A, "
                    f"twice; got {self.partial[-60:]!r})"
                )
        if soft_reset:
            self.write(b"\x04")
            if self.read_until(b"soft reboot", deadline, keep=PROTOCOL_KEEP) is None:
                raise DeviceUnresponsive(f"{self.url}: no soft reboot after Ctrl-D")
            if self.read_until(RAW_BANNER, deadline, keep=PROTOCOL_KEEP) is None:
                raise DeviceUnresponsive(f"{self.url}: no raw REPL after soft reboot")
        self.transport.in_raw_repl = True

    def soft_reset(self, timeout=5.0):
        self.enter_raw_repl(soft_reset=True, timeout=timeout)

    # -- running code ------------------------------------------------------
    def exec(
        self, source, timeout=10.0, interrupt_grace=3.0, on_output=None, keep=None, on_idle=None
    ):
        """Run source; return its stdout/stderr. On timeout, Ctrl-C it.

        on_output(bytes) sees the stdout as the board prints it (e.g. to echo a demo live).
        keep: the result holds only the last `keep` bytes of each (None: all), so
        a program printing without end costs bounded memory. on_idle: as for read_until.
        """
        if isinstance(source, str):
            source = source.encode()
        start = time.monotonic()
        self._send_code(source)
        deadline = start + timeout
        timed_out = False
        output = self.read_until(b"\x04", deadline, on_output, keep, on_idle)
        if output is None:
            timed_out = True
            partial = self.partial
            self.write(b"\x03")
            output = self.read_until(
                b"\x04", time.monotonic() + interrupt_grace, on_output, keep, on_idle
            )
            if output is None:
                raise InterruptFailed(
                    f"{self.url}: code ran past {timeout:g}s and Ctrl-C did not stop it"
                )
            output = partial + output
            if keep is not None:
                output = output[-(keep + 1) :]
        output = output[:-1]
        error = self.read_until(
            b"\x04",
            time.monotonic() + (interrupt_grace if timed_out else timeout),
            keep=keep,
            on_idle=on_idle,
        )
        if error is None:
            raise DeviceUnresponsive(f"{self.url}: no end of error output")
        return ExecResult(output, error[:-1], timed_out, time.monotonic() - start)

    def _send_code(self, source):
        from mpremote.transport import TransportError

        if self.read_until(b">", time.monotonic() + READ_TIMEOUT, keep=PROTOCOL_KEEP) is None:
            raise DeviceUnresponsive(
                f"{self.url}: no raw REPL prompt (got {self.partial[-60:]!r})"
            )
        self._pushback = b""  # nothing legitimate follows the prompt
        try:
            if self.raw_paste:
                self.write(b"\x05A\x01")
                reply = self.serial.read(2)
                if reply == b"R\x01":
                    # mpremote's raw_paste_write does the windowed flow control.
                    self.transport.raw_paste_write(source)
                    return
                if reply == b"R\x00":
                    # Knows raw-paste but has it disabled; it re-prompts.
                    if (
                        self.read_until(b">", time.monotonic() + READ_TIMEOUT, keep=PROTOCOL_KEEP)
                        is None
                    ):
                        raise DeviceUnresponsive(f"{self.url}: no prompt after refusing raw-paste")
                else:
                    # Too old to know raw-paste: it echoed the bytes as a line.
                    if (
                        self.read_until(
                            RAW_BANNER + b">", time.monotonic() + READ_TIMEOUT, keep=PROTOCOL_KEEP
                        )
                        is None
                    ):
                        raise DeviceUnresponsive(
                            f"{self.url}: lost the raw REPL probing raw-paste"
                        )
                self.raw_paste = False
            for i in range(0, len(source), 256):
                self.write(source[i : i + 256])
                time.sleep(0.01)  # no flow control: let a small UART buffer drain
            self.write(b"\x04")
            reply = self.serial.read(2)
            if reply != b"OK":
                raise DeviceUnresponsive(f"{self.url}: code not accepted (reply {reply!r})")
        except (OSError, serial.SerialException) as e:
            raise LineLost(f"{self.url}: could not send code: {e}") from None
        except (TransportError, struct.error) as e:
            raise DeviceUnresponsive(f"{self.url}: could not send code: {e}") from None

    def eval_output(self, source, timeout=5.0):
        """Stripped stdout of a short helper snippet that must not fail."""
        result = self.exec(source, timeout)
        if result.timed_out or result.error:
            raise DeviceUnresponsive(f"{self.url}: helper code failed: {result.error[-200:]!r}")
        return result.output.decode("utf-8", "replace").strip()

    def close(self):
        try:
            self.write(b"\r\x02")  # back to the friendly REPL, as mpremote leaves it
        except DeviceUnresponsive:
            pass
        with contextlib.suppress(Exception):
            self.serial.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

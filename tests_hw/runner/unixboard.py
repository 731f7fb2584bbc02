"""The UNIX image as a serial board: `python3 -m tests_hw.runner.unixboard IMAGE`.

Prints `char device redirected to /dev/pts/N` (like qemu) and serves the unix
MicroPython image on that pty through unix_raw_repl.py. The relay keeps the
client pty open across restarts of the image, so a soft reset (the image exits
with 100/101) or a crash looks like a board rebooting on a live serial line;
after a crash or any other exit it first prints `unixboard: micropython was
killed by signal 9, restarting it` (or `exited with status N`).
A Ctrl-C byte from the client becomes SIGINT (once the image has started),
which is what interrupts a running script on the unix port.
"""

import argparse
import ctypes
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import tty

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unix_raw_repl.py")
SOFT_RESET_RAW, SOFT_RESET_FRIENDLY = 100, 101


def _die_with_parent():
    # No orphans: if the relay is killed, the image goes too.
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _raw_with_crlf(fd):
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[1] |= termios.OPOST | termios.ONLCR  # "\n" -> "\r\n" as a board's UART prints
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


class Relay:
    def __init__(self, image, extra_args, env, paste):
        self.image, self.extra_args, self.env, self.paste = image, extra_args, env, paste
        self.client_master, client_slave = pty.openpty()
        tty.setraw(client_slave)
        # Holding the slave open keeps the line alive when a client closes it.
        self._client_slave = client_slave
        self.client_path = os.ttyname(client_slave)
        self.child = None

    def spawn(self, mode):
        master, slave = pty.openpty()
        _raw_with_crlf(slave)
        argv = [self.image, *self.extra_args, SERVER, mode]
        if not self.paste:
            argv.append("no-paste")
        self.child = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            preexec_fn=_die_with_parent,
            close_fds=True,
        )
        os.close(slave)
        self.child_master = master
        # Until the image says something it is still starting: a SIGINT then
        # would kill it before it can catch one (Ctrl-C is dropped instead,
        # as a board that is still booting never sees it).
        self.started = False

    def _drain_child(self):
        while True:
            try:
                ready, _, _ = select.select([self.child_master], [], [], 0)
                if not ready:
                    return
                data = os.read(self.child_master, 4096)
            except OSError:
                return
            if not data:
                return
            os.write(self.client_master, data)

    def serve(self):
        self.spawn("friendly")
        parent = os.getppid()
        while True:
            if os.getppid() != parent:
                return  # the runner died without stopping us: don't linger
            ready, _, _ = select.select([self.client_master, self.child_master], [], [], 0.2)
            if self.child_master in ready:
                try:
                    data = os.read(self.child_master, 4096)
                except OSError:  # EIO: the image closed its end (exited)
                    data = b""
                if data:
                    self.started = True
                    os.write(self.client_master, data)
            if self.client_master in ready:
                data = os.read(self.client_master, 4096)
                if b"\x03" in data:
                    if self.started and self.child.poll() is None:
                        self.child.send_signal(signal.SIGINT)
                    data = data.replace(b"\x03", b"")
                if data:
                    try:
                        os.write(self.child_master, data)
                    except OSError:
                        pass
            code = self.child.poll()
            if code is not None:
                self._drain_child()
                os.close(self.child_master)
                if code not in (SOFT_RESET_RAW, SOFT_RESET_FRIENDLY):
                    # Like a board's reset-cause line: the runner quotes it when a test dies so.
                    how = (
                        f"was killed by signal {-code}"
                        if code < 0
                        else f"exited with status {code}"
                    )
                    os.write(
                        self.client_master,
                        f"\r\nunixboard: micropython {how}, restarting it\r\n".encode(),
                    )
                self.spawn("raw" if code == SOFT_RESET_RAW else "friendly")

    def stop(self):
        if self.child and self.child.poll() is None:
            self.child.kill()
            self.child.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m tests_hw.runner.unixboard", description=__doc__.splitlines()[0]
    )
    parser.add_argument("image", help="unix MicroPython executable")
    parser.add_argument("--heap", help="heap size passed as -X heapsize=...")
    parser.add_argument(
        "--path", help="MICROPYPATH for the image (e.g. a dir with a pure-Python asyncio)"
    )
    parser.add_argument(
        "--no-raw-paste", action="store_true", help="behave like a device without raw-paste mode"
    )
    args = parser.parse_args(argv)
    if not os.access(args.image, os.X_OK):
        sys.exit(f"unixboard: {args.image}: not an executable MicroPython image")
    env = dict(os.environ)
    if args.path:
        env["MICROPYPATH"] = args.path
    extra = ["-X", f"heapsize={args.heap}"] if args.heap else []
    relay = Relay(args.image, extra, env, paste=not args.no_raw_paste)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"char device redirected to {relay.client_path} (label serial0)", flush=True)
    try:
        relay.serve()
    except KeyboardInterrupt:
        pass
    finally:
        relay.stop()


if __name__ == "__main__":
    main()

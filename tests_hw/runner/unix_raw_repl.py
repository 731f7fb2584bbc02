# Runs ON the unix MicroPython image (not CPython): the unix port's REPL has
# no raw REPL, so this script speaks the raw REPL protocol (Ctrl-A/B/C/D and
# raw-paste) on stdin/stdout, making the unix image look like a board on a
# serial line. unixboard.py relays it to a pty, turns a received Ctrl-C into
# SIGINT and restarts the process on exit; exit code 100/101 mean "soft reset
# back into raw/friendly REPL".
# argv: unix_raw_repl.py raw|friendly [no-paste]
import sys


def _serve(sys):
    import gc

    stdin = sys.stdin.buffer
    out = sys.stdout.buffer.write
    raw = sys.argv[1:2] == ["raw"]
    paste_ok = "no-paste" not in sys.argv
    window = 128
    namespace = globals()
    namespace.pop("_serve", None)
    namespace.pop("sys", None)

    def getc():
        while True:
            try:
                c = stdin.read(1)
            except KeyboardInterrupt:  # Ctrl-C while idle: like a board, nothing to stop
                continue
            if not c:
                sys.exit(0)  # host went away
            return c[0]

    def execute(source):
        try:
            code = compile(source, "<stdin>", "exec")
            exec(code, namespace)
            out(b"\x04")
            err = None
        except SystemExit:  # like pyexec: sys.exit() soft-resets the board
            out(b"\x04\x04")
            return True
        except BaseException as e:
            out(b"\x04")
            err = e
        if err is not None:
            sys.print_exception(err, sys.stdout)
        out(b"\x04")
        gc.collect()
        return False

    def soft_reset():
        out(b"MPY: soft reboot\n")
        sys.exit(100 if raw else 101)

    def raw_paste():
        out(b"R\x01" + bytes((window & 0xFF, window >> 8)) + b"\x01")
        buf = bytearray()
        remain = window
        while True:
            c = getc()
            if c == 4:
                break
            buf.append(c)
            remain -= 1
            if remain == 0:
                out(b"\x01")
                remain = window
        out(b"\x04")
        return execute(bytes(buf))

    while True:
        if not raw:
            out(b"MicroPython (unix image behind unixboard) raw REPL: Ctrl-A\n>>> ")
            while not raw:
                c = getc()
                if c == 1:
                    out(b"\n")
                    raw = True
                elif c == 4:
                    soft_reset()
        out(b"raw REPL; CTRL-B to exit\n")
        while raw:
            out(b">")
            line = bytearray()
            while True:
                c = getc()
                if c == 1:
                    if len(line) == 2 and line[0] == 5:
                        if line[1] == ord("A") and paste_ok:
                            if raw_paste():
                                soft_reset()
                        else:
                            out(b"R\x00")
                        line = bytearray()
                        out(b">")
                        continue
                    out(b"raw REPL; CTRL-B to exit\n>")
                    line = bytearray()
                elif c == 2:
                    out(b"\n")
                    raw = False
                    break
                elif c == 3:
                    line = bytearray()
                elif c == 4:
                    out(b"OK")
                    if not line:
                        out(b"\n")
                        soft_reset()
                    if execute(bytes(line)):
                        soft_reset()
                    break
                else:
                    line.append(c)


# Tests run in __main__'s namespace (hwtest.main() looks there): leave it clean.
if sys.path and sys.path[0] and "runner" in sys.path[0]:
    sys.path.pop(0)
_g = globals()
for _k in list(_g):
    if _k not in ("__name__", "_serve", "sys"):
        del _g[_k]
_serve(sys)

# Real workloads for `python3 -m firmware bench --workloads`: servers driven by a
# CPython client (firmware/bench_workloads.py) over 127.0.0.1, and a UART-like
# stream read in-process. Unix port only (sockets, ffi for the bound port).
#
# Run: micropython workload_servers.py MODE N [alloc]
#   asyncio: echo http http_ka microdot uart_readline uart_read
#   floors (no asyncio): echo_blocking echo_poll http_blocking http_ka_blocking
#                        uart_readline_poll uart_read_poll
# Socket modes print "PORT <n>" once listening (bound to port 0), serve until
# the client is done (echo: EOF; HTTP: a request for /quit), then print
# "RESULT <mode> ops=<ops served> alloc=<bytes>". uart modes read N lines.
# "alloc": the GC is off from the start, and alloc is gc.mem_alloc() growth
# (run with a heap big enough for the whole run: -X heapsize=).
import gc
import io
import select
import socket
import struct
import sys

MODE = sys.argv[1]
N = int(sys.argv[2])
ALLOC = len(sys.argv) > 3 and sys.argv[3] == "alloc"

LINE_LEN = 32
RESPONSE_BODY = b"Hello, world!"
# The raw-stream servers' reply; keep-alive needs the length, close says so.
RESPONSE_KA = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n" + RESPONSE_BODY
)
RESPONSE_CLOSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
    b"Connection: close\r\n\r\n" + RESPONSE_BODY
)

ops = 0
base = 0


def start_counting():
    global base
    if ALLOC:
        gc.collect()
        gc.disable()
        base = gc.mem_alloc()


def report():
    print("RESULT", MODE, "ops=%d" % ops, "alloc=%d" % (gc.mem_alloc() - base if ALLOC else -1))


def announce_port():
    # MicroPython's sockets have no getsockname(), and start_server() keeps its
    # socket to itself: ask libc about each descriptor for the one bound socket.
    import ffi

    getsockname = ffi.open("libc.so.6").func("i", "getsockname", "ipp")
    for fd in range(3, 64):
        addr = bytearray(16)
        size = bytearray(struct.pack("I", 16))
        if getsockname(fd, addr, size) == 0 and addr[0] == socket.AF_INET and (addr[2] or addr[3]):
            print("PORT", addr[2] << 8 | addr[3])
            return
    raise OSError("no bound socket found")


def listen():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
    s.listen(8)
    announce_port()
    return s


# -- the UART-like device -------------------------------------------------------


class Uart(io.IOBase):
    # The receive side of a UART as a driver written in Python would give it:
    # bytes arrive with receive() (the RX interrupt), read()/readline() as
    # machine.UART's, readiness through ioctl (no file descriptor to poll).
    # The wire carries the same line over and over, so the FIFO is a window
    # on two copies of it: no copying in, one bytes object per read.
    def __init__(self, line):
        self._wire = line + line
        self._period = len(line)
        self._pos = 0
        self._count = 0  # received, not read yet

    def receive(self, n):
        self._count += n

    def any(self):
        return self._count

    def ioctl(self, req, arg):
        if req == 3:  # MP_STREAM_POLL
            return arg & select.POLLIN if self._count else 0
        return 0

    def _take(self, n):
        n = min(n, self._count, self._period)
        data = self._wire[self._pos : self._pos + n]
        self._pos = (self._pos + n) % self._period
        self._count -= n
        return data

    def read(self, n=-1):
        if not self._count:
            return None
        return self._take(self._count if n < 0 else n)

    def readline(self):
        if not self._count:
            return None
        end = self._wire.find(b"\n", self._pos, self._pos + min(self._count, self._period))
        return self._take(end + 1 - self._pos if end >= 0 else self._count)

    def write(self, buf):
        return len(buf)

    def close(self):
        pass


UART_LINE = b"$GPGLL,4916.45,N,12311.12,W,*31\n"  # LINE_LEN bytes, as the echo lines


def read_op(dev_or_stream, how):
    return dev_or_stream.readline() if how == "readline" else dev_or_stream.read(LINE_LEN)


# -- floors: the same exchanges without asyncio ---------------------------------


def echo_blocking():
    global ops
    s = listen()
    conn, _ = s.accept()
    while True:
        line = conn.readline()
        if not line:
            break
        conn.write(line)
        ops += 1
    conn.close()
    s.close()


def echo_poll():
    global ops
    s = listen()
    conn, _ = s.accept()
    conn.setblocking(False)
    poller = select.poll()
    poller.register(conn, select.POLLIN)
    line = b""
    while True:
        poller.ipoll(-1)
        got = conn.readline()
        if got is None:
            continue
        if not got:
            break
        line += got
        if line[-1] == 10:  # a whole line: echo it
            conn.write(line)
            line = b""
            ops += 1
    conn.close()
    s.close()


def read_head(conn):
    # Request line and headers; None when the peer closed first.
    first = conn.readline()
    if not first:
        return None
    while conn.readline() not in (b"\r\n", b""):
        pass
    return first


def http_blocking(keepalive):
    global ops
    s = listen()
    while True:
        conn, _ = s.accept()
        quit = False
        while True:
            first = read_head(conn)
            if first is None:
                break
            conn.write(RESPONSE_KA if keepalive else RESPONSE_CLOSE)
            quit = first.startswith(b"GET /quit ")
            if quit or not keepalive:
                break
            ops += 1
        if not keepalive and not quit:
            ops += 1
        conn.close()
        if quit:
            break
    s.close()


def uart_poll(how):
    global ops
    dev = Uart(UART_LINE)
    poller = select.poll()
    poller.register(dev, select.POLLIN)
    for _ in range(N):
        dev.receive(LINE_LEN)
        poller.ipoll(0)
        if len(read_op(dev, how)) != LINE_LEN:
            raise RuntimeError("short read")
        ops += 1


# -- asyncio workloads ----------------------------------------------------------


def asyncio_main(handler):
    import asyncio

    async def main():
        done = asyncio.Event()

        async def serve(reader, writer):
            if await handler(reader, writer):
                done.set()

        srv = await asyncio.start_server(serve, "127.0.0.1", 0)
        announce_port()
        await done.wait()
        srv.close()
        await srv.wait_closed()

    asyncio.run(main())


async def echo_handler(reader, writer):
    # One connection: echo lines until EOF, then the run is over.
    global ops
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
        ops += 1
    writer.close()
    await writer.wait_closed()
    return True


def http_handler(keepalive):
    async def handler(reader, writer):
        # Returns True when the client asked for /quit.
        global ops
        quit = False
        while True:
            first = await reader.readline()
            if not first:
                break
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            writer.write(RESPONSE_KA if keepalive else RESPONSE_CLOSE)
            await writer.drain()
            quit = first.startswith(b"GET /quit ")
            if quit:
                break
            ops += 1
            if not keepalive:
                break
        writer.close()
        await writer.wait_closed()
        return quit

    return handler


def uart_asyncio(how):
    import asyncio

    dev = Uart(UART_LINE)

    async def wire():
        # The sender: a line whenever the FIFO is empty, one per loop step.
        for _ in range(N):
            while dev.any():
                await asyncio.sleep(0)
            dev.receive(LINE_LEN)
            await asyncio.sleep(0)

    async def main():
        global ops
        reader = asyncio.StreamReader(dev)
        sender = asyncio.create_task(wire())
        for _ in range(N):
            if len(await read_op(reader, how)) != LINE_LEN:
                raise RuntimeError("short read")
            ops += 1
        await sender

    asyncio.run(main())


def microdot_server():
    import asyncio
    from microdot import Microdot  # from build/, on MICROPYPATH

    app = Microdot()

    @app.route("/")
    async def index(request):
        global ops
        ops += 1
        return "Hello, world!"

    @app.route("/quit")
    async def quit(request):
        request.app.shutdown()
        return "bye"

    async def main():
        server = asyncio.create_task(app.start_server(host="127.0.0.1", port=0))
        await asyncio.sleep(0)  # start_server has bound its socket by now
        announce_port()
        await server

    asyncio.run(main())


MODES = {
    "echo": lambda: asyncio_main(echo_handler),
    "http": lambda: asyncio_main(http_handler(False)),
    "http_ka": lambda: asyncio_main(http_handler(True)),
    "microdot": microdot_server,
    "uart_readline": lambda: uart_asyncio("readline"),
    "uart_read": lambda: uart_asyncio("read"),
    "echo_blocking": echo_blocking,
    "echo_poll": echo_poll,
    "http_blocking": lambda: http_blocking(False),
    "http_ka_blocking": lambda: http_blocking(True),
    "uart_readline_poll": lambda: uart_poll("readline"),
    "uart_read_poll": lambda: uart_poll("read"),
}

start_counting()
MODES[MODE]()
report()

# TCP (and any pollable object) streams, and the TCP server.

import io
from . import _kernel
from ._kernel import _core, create_task, CancelledError


class _IOWait:
    # Shared awaitable: park the running task until its stream is ready.
    # (Here, not in _kernel: programs without streams never load it.)
    def __iter__(self):
        return self

    def __next__(self):
        if _core.resuming():
            raise StopIteration
        _kernel._io.park(self.s, self.writing)
        self.s = None


_io_wait = _IOWait()


def wait_io(s, writing):
    w = _io_wait
    w.s = s
    w.writing = writing
    return w


# Streams written in Python subclass io.IOBase (none on ports without it).
_IOBase = getattr(io, "IOBase", ())


class IncompleteReadError(EOFError):
    # readexactly() hit the end of the stream (CPython's; an EOFError as upstream raises)
    def __init__(self, partial, expected):
        super().__init__(
            "%d bytes read on a total of %s expected bytes"
            % (len(partial), "undefined" if expected is None else expected)
        )
        self.partial = partial
        self.expected = expected


class Stream:
    # s: the wrapped object (socket, UART, anything with ioctl polling)
    # e: info for get_extra_info(); out_buf: bytes not yet written
    # (upstream's attribute names, which some drivers read)
    # _eof: a read has met the end of the stream (at_eof())
    _eof = False

    def __init__(self, s, e=None):
        if isinstance(s, _IOBase) and not hasattr(s, "ioctl"):
            # Bare-metal poll() would only find out while polling, and the
            # error would stop the loop: say it here.
            raise TypeError(
                "Stream needs an object it can poll; %s has no ioctl()" % type(s).__name__
            )
        self.s = s
        self.e = e if e is not None else {}
        self.out_buf = b""
        self.closed = False

    def get_extra_info(self, v):
        return self.e[v]

    def is_closing(self):
        return self.closed

    def at_eof(self):
        # Nothing is buffered here, so: has a read met the end of the stream?
        return self._eof

    def writelines(self, lines):
        for buf in lines:
            self.write(buf)

    def close(self):
        if not self.closed:
            self.closed = True
            self.s.close()

    async def wait_closed(self):
        self.close()

    async def read(self, n=-1):
        chunks = b""
        while True:
            await wait_io(self.s, False)
            got = self.s.read(n)
            if got is None:
                continue  # spurious wake-up; nothing to read after all
            if not got and n:
                self._eof = True
            if n >= 0:
                return got
            if not got:
                return chunks  # EOF ends a read-all
            chunks += got

    async def readinto(self, buf):
        while True:
            await wait_io(self.s, False)
            got = self.s.readinto(buf)
            if got is not None:
                if not got and len(buf):
                    self._eof = True
                return got

    async def readexactly(self, n):
        out = b""
        while len(out) < n:
            await wait_io(self.s, False)
            got = self.s.read(n - len(out))
            if got is None:
                continue
            if not got:
                self._eof = True
                raise IncompleteReadError(out, n)
            out += got
        return out

    async def readline(self):
        line = b""
        while True:
            await wait_io(self.s, False)
            got = self.s.readline()
            if got is None:
                continue
            line += got
            # A line ends at "\n" or at EOF; `line` may be str for text drivers.
            if not got:
                self._eof = True
                return line
            if line[-1] in (10, "\n"):
                return line

    async def readuntil(self, separator=b"\n"):
        # A byte at a time: the stream keeps no buffer, so it must not read
        # past the separator. For header-sized data (use readline() for
        # lines). Polled before each byte like every other read: a driver
        # whose read() blocks is never called before it is ready, and a
        # stream that never runs dry cannot starve the other tasks.
        if not separator:
            raise ValueError("Separator should be at least one-byte string")
        data = b""
        while not data.endswith(separator):
            await wait_io(self.s, False)
            got = self.s.read(1)
            if got is None:
                continue
            if not got:
                self._eof = True
                raise IncompleteReadError(data, None)
            data += got
        return data

    def write(self, buf):
        # Write straight through while nothing is queued; queue the rest.
        if not self.out_buf:
            n = self.s.write(buf)
            if n is not None:
                if n == len(buf):
                    return
                buf = buf[n:]
        self.out_buf += buf

    async def drain(self):
        if not self.out_buf:
            # Always yield, so a write/drain loop cannot starve other tasks.
            await _core.sleep_ms(0)
            return
        view = memoryview(self.out_buf)
        done = 0
        while done < len(view):
            await wait_io(self.s, True)
            n = self.s.write(view[done:])
            if n is not None:
                done += n
        self.out_buf = b""

    # uasyncio v2 names
    async def awrite(self, buf, off=0, sz=-1):
        if off or sz != -1:
            buf = memoryview(buf)[off : len(buf) if sz == -1 else off + sz]
        self.write(buf)
        await self.drain()

    awritestr = awrite
    aclose = wait_closed


StreamReader = Stream
StreamWriter = Stream


async def _resolve(host, port, family=0):
    # Without blocking the loop: our DNS client, in images with the
    # "cpython" extras; an image of the core alone has the port's blocking
    # getaddrinfo (flash). The first address that works is used, as in
    # CPython.
    import socket

    try:
        from ._dns import getaddrinfo
    except ImportError:
        return socket, socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    return socket, await getaddrinfo(host, port, family, socket.SOCK_STREAM)


async def _connect(socket, family, kind, proto, addr):
    from errno import EINPROGRESS

    s = socket.socket(family, kind, proto)
    s.setblocking(False)
    try:
        try:
            s.connect(addr)
        except OSError as e:
            if e.errno != EINPROGRESS:
                raise
        await wait_io(s, True)  # connected, or failed
        # A refused or unreachable connect raises here, as in CPython, not at
        # the first read or write: an empty send() reports the socket's
        # pending error and sends nothing.
        s.send(b"")
    except BaseException:
        s.close()  # sockets are scarce on small ports: none left open
        raise
    return s


async def open_connection(host, port, ssl=None, server_hostname=None):
    socket, found = await _resolve(host, port)
    for i, (family, kind, proto, _, addr) in enumerate(found):
        try:
            s = await _connect(socket, family, kind, proto, addr)
            break
        except OSError:
            if i == len(found) - 1:
                raise  # the last address's error, as CPython reports one
    if ssl:
        if ssl is True:
            import ssl as _ssl

            ssl = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
        s = ssl.wrap_socket(
            s, server_hostname=server_hostname or host, do_handshake_on_connect=False
        )
        s.setblocking(False)
    # The address connected to, in the form the port's accept() uses too.
    stream = Stream(s, {"peername": addr})
    return stream, stream


class Server:
    # task: the accept loop; closing: close() was called (the loop then
    # ends normally, as upstream's does: `await server.task` gives None).
    # clients: stream -> handler task of each connection being handled, so
    # wait_closed() can wait for them (CPython 3.12+) and close_clients()
    # reach them; idle: an Event wait_closed() makes while some remain.
    def __init__(self, sock, cb, ssl):
        self.closing = False
        self.clients = {}
        self.idle = None
        self.task = create_task(self._serve(sock, cb, ssl))

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    def __getattr__(self, name):
        return _kernel.more(self, Server, name)  # CPython's serve_forever()...

    def close(self):
        if not self.closing:
            self.closing = True
            self.task.cancel()

    async def wait_closed(self):
        # Until the server is closed and every handler has returned.
        await self.task
        if self.clients:
            if self.idle is None:
                from ._sync import Event

                self.idle = Event()
            await self.idle.wait()

    async def _handle(self, stream, coro):
        try:
            await coro
        finally:
            del self.clients[stream]
            if not self.clients and self.idle is not None:
                self.idle.set()

    async def _serve(self, sock, cb, ssl):
        try:
            while True:
                await wait_io(sock, False)
                try:
                    conn, addr = sock.accept()
                except OSError:
                    continue  # the peer gave up before we accepted
                if ssl:
                    try:
                        conn = ssl.wrap_socket(
                            conn, server_side=True, do_handshake_on_connect=False
                        )
                    except OSError as e:
                        _kernel.call_handler(
                            {"message": "TLS wrap failed", "exception": e, "future": None}
                        )
                        conn.close()
                        continue
                conn.setblocking(False)
                stream = Stream(conn, {"peername": addr})
                r = cb(stream, stream)
                if r is not None:  # CPython also takes a plain function
                    self.clients[stream] = create_task(self._handle(stream, r))
        except CancelledError:
            if not self.closing:
                raise  # cancelled from outside: the task ends cancelled
        finally:
            sock.close()


async def start_server(cb, host, port, backlog=5, ssl=None):
    socket, found = await _resolve(host, port)
    family, kind, proto, _, addr = found[0]
    s = socket.socket(family, kind, proto)
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr)
    s.listen(backlog)
    srv = Server(s, cb, ssl)
    try:
        # Let the accept loop start before the caller goes on.
        await _core.sleep_ms(0)
    except CancelledError:
        srv.close()
        raise
    return srv

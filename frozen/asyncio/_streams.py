# TCP (and any pollable object) streams, and the TCP server.

from micropython import const
from . import _kernel
from ._kernel import _core, _IOBase, create_task, CancelledError

_EBADF = const(9)  # (errno's: the same on every port)


# One wait of a stream (the core's awaitable): park until the poller finds
# the stream ready; with `ready` (the last try read something) try again
# first, while the step has credit. Only streams whose read() never blocks
# are tried before polling: see Stream._nb.
wait_io = _core.io_wait


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
    # _nb: a socket the package made non-blocking: its read() never blocks
    # (it returns None), so reads try it before polling
    _eof = False
    _nb = False

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
            _kernel._io.drop(self.s)

    async def wait_closed(self):
        self.close()

    # Reads. `ready`: try the read before polling. True at first only for
    # sockets the package made non-blocking (_nb), whose read() returns None
    # when nothing is there: no poll and no loop turn while data is waiting.
    # Any other stream (a UART, a driver whose read() blocks) is read only
    # after the poller said it is ready, as before. After a read that found
    # nothing, always poll.
    async def read(self, n=-1):
        s = self.s
        ready = self._nb
        chunks = b""
        while True:
            await wait_io(s, False, ready)
            got = b"" if self.closed else s.read(n)  # (closed: the end, as CPython)
            if got is None:
                ready = False
                continue  # nothing to read yet (or a spurious wake-up)
            if not got and n:
                self._eof = True
            if n >= 0:
                return got
            if not got:
                return chunks  # EOF ends a read-all
            chunks += got
            ready = self._nb

    async def readinto(self, buf):
        s = self.s
        ready = self._nb
        while True:
            await wait_io(s, False, ready)
            got = 0 if self.closed else s.readinto(buf)
            if got is not None:
                if not got and len(buf):
                    self._eof = True
                return got
            ready = False

    async def readexactly(self, n):
        s = self.s
        ready = self._nb
        out = b""
        while len(out) < n:
            await wait_io(s, False, ready)
            got = b"" if self.closed else s.read(n - len(out))
            if got is None:
                ready = False
                continue
            if not got:
                self._eof = True
                raise IncompleteReadError(out, n)
            out = out + got if out else got
            ready = self._nb
        return out

    async def readline(self):
        s = self.s
        ready = self._nb
        line = None  # (the first piece is kept as it is: no copy for a whole line)
        while True:
            await wait_io(s, False, ready)
            got = b"" if self.closed else s.readline()
            if got is None:
                ready = False
                continue
            # A line ends at "\n" or at EOF; it may be str for text drivers.
            if not got:
                self._eof = True
                return got if line is None else line
            line = got if line is None else line + got
            if line[-1] in (10, "\n"):
                return line
            ready = self._nb

    async def readuntil(self, separator=b"\n"):
        # A byte at a time: the stream keeps no buffer, so it must not read
        # past the separator. For header-sized data (use readline() for
        # lines). A driver whose read() blocks is never called before it is
        # ready, and a stream that never runs dry cannot starve the others.
        if not separator:
            raise ValueError("Separator should be at least one-byte string")
        s = self.s
        ready = self._nb
        data = b""
        while not data.endswith(separator):
            await wait_io(s, False, ready)
            got = b"" if self.closed else s.read(1)
            if got is None:
                ready = False
                continue
            if not got:
                self._eof = True
                raise IncompleteReadError(data, None)
            data += got
            ready = self._nb
        return data

    def write(self, buf):
        # Write straight through while nothing is queued; queue the rest.
        # Closed: dropped, as CPython's transport does (drain() says so).
        if self.closed:
            return
        if not self.out_buf:
            n = self.s.write(buf)
            if n is not None:
                if n == len(buf):
                    return
                buf = buf[n:]
        self.out_buf += buf

    async def drain(self):
        if self.closed:
            raise OSError(_EBADF, "stream is closed")
        if not self.out_buf:
            # Nothing queued: done, as in CPython, without a turn of the loop;
            # but a turn once every few, so a write/drain loop cannot starve
            # the other tasks.
            await wait_io(None, True, True)
            return
        # `done` counts from the start of out_buf, which only grows at its
        # end meanwhile (write() from another task appends: a new object), so
        # each pass reads the current one: what others queue is sent too.
        # Cancelled or failed, the unsent rest stays queued, nothing twice.
        s = self.s
        done = 0
        try:
            while done < len(self.out_buf):
                await wait_io(s, True)
                n = s.write(memoryview(self.out_buf)[done:])
                if n is not None:
                    done += n
        finally:
            if done:
                self.out_buf = self.out_buf[done:]

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
    from errno import EAGAIN, EINPROGRESS

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
        try:
            s.send(b"")
        except OSError as e:
            # ESP32's send() of nothing says only EAGAIN, connected or not.
            if e.errno != EAGAIN:
                raise
            _raise_lwip_connect_error(s)
    except BaseException:
        _kernel._io.drop(s)  # sockets are scarce on small ports: none left open
        raise
    return s


def _raise_lwip_connect_error(s):
    # ESP32: lwIP's error state shows in its poll as HUP, and only when HUP
    # is asked for; recv() then gives the error. lwIP says ECONNRESET for the
    # RST that refuses a connect, where CPython says ECONNREFUSED.
    from select import poll, POLLHUP
    from errno import ECONNREFUSED, ECONNRESET

    p = poll()
    p.register(s, POLLHUP)
    if p.poll(0):
        try:
            s.recv(1)
            err = ECONNRESET  # the error state cannot be read: still failed
        except OSError as e:
            err = e.errno
        raise OSError(ECONNREFUSED if err == ECONNRESET else err)


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
    stream._nb = not ssl  # (TLS: not tried before polling; not tested here)
    return stream, stream


class Server:
    # task: the accept loop; closing: close() was called (the loop then
    # ends normally, as upstream's does: `await server.task` gives None).
    # clients: stream -> handler task of each connection being handled, so
    # wait_closed() can wait for them (CPython 3.12+) and close_clients()
    # reach them; idle: an Event wait_closed() makes while some remain.
    # ended: close_clients() or abort_clients() was called
    ended = False

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
        except OSError:
            if not self.ended:
                raise  # (after close_clients(): the closed socket's error)
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
                stream._nb = not ssl
                r = cb(stream, stream)
                if r is not None:  # CPython also takes a plain function
                    self.clients[stream] = create_task(self._handle(stream, r))
        except CancelledError:
            if not self.closing:
                raise  # cancelled from outside: the task ends cancelled
        finally:
            _kernel._io.drop(sock)


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

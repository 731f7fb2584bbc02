# A small awaitable datagram socket for embedded code (our design, not
# CPython's): `s = await open_datagram(local_addr, remote_addr)`, then
# `n = await s.recv_into(buf)` (no buffer made per datagram: the caller's
# is filled), `data, addr = await s.recvfrom(n)`, `await s.sendto(data,
# addr)`, `s.close()`. Addresses are the port's own (raw sockaddr bytes on
# unix, (host, port) on lwIP boards): what recvfrom() gives, sendto()
# takes back, unconverted. On the poller the streams use.

from micropython import const
from errno import EAGAIN, EBADF
from . import _kernel
from ._kernel import _core
from ._dns import getaddrinfo, socket, sockets

_RECV_INTO = const(0)
_RECVFROM = const(1)
_SEND = const(2)


class _Op:
    # The awaitable of one direction of a socket, made once with it: a
    # receive or send tried at once, and again each time the poller says
    # the socket is ready. (No generator per call, as an async def would
    # make.)
    def __init__(self, owner, writing):
        self.owner = owner
        self.writing = writing
        self.kind = None
        self.arg = None
        self.addr = None

    def __iter__(self):
        return self

    def __next__(self):
        o = self.owner
        if self.kind is None:
            raise RuntimeError("datagram operation awaited twice")
        _core.resuming()  # (raises if the task is driven by hand while parked)
        if o.closed:
            self.kind = None
            raise OSError(EBADF, "datagram socket is closed")
        s = o.sock
        try:
            if self.kind == _RECV_INTO:
                got = s.readinto(self.arg)
            elif self.kind == _RECVFROM:
                got = s.recvfrom(self.arg)
            elif self.addr is None:
                got = s.send(self.arg)
            else:
                got = s.sendto(self.arg, self.addr)
        except OSError as e:
            if e.errno != EAGAIN:
                self.kind = None
                raise
            got = None
        if got is None:
            _kernel._io.park(s, self.writing)
            return
        self.kind = self.arg = self.addr = None
        raise StopIteration(got)

    def start(self, kind, arg, addr=None):
        if self.kind is not None:
            # Left set by a task cancelled while it waited, or another task
            # waits now: the poller knows which.
            slot = _kernel._io.slots.get(id(self.owner.sock))
            if slot is not None and (slot.writer if self.writing else slot.reader):
                raise RuntimeError(
                    "another task waits to %s on this datagram socket"
                    % ("send" if self.writing else "receive")
                )
        self.kind = kind
        self.arg = arg
        self.addr = addr
        return self


class DatagramSocket:
    # sock: the socket; closed: close() was called
    def __init__(self, sock):
        self.sock = sock
        self.closed = False
        self._rx = _Op(self, False)
        self._tx = _Op(self, True)

    def recv_into(self, buf):
        # Awaitable: fills buf with the next datagram, gives the number of
        # bytes. MicroPython's readinto() reads on while buf has room and
        # more datagrams are queued (a socket has no recv_into() there): give
        # it a buffer the size of the protocol's datagrams, else recvfrom().
        return self._rx.start(_RECV_INTO, buf)

    def recvfrom(self, n):
        # Awaitable: (data, sender's address) of the next datagram, at most n bytes.
        return self._rx.start(_RECVFROM, n)

    def sendto(self, data, addr=None):
        # Awaitable: sends one datagram (to the remote address given at
        # opening when addr is None); gives the bytes sent.
        return self._tx.start(_SEND, data, addr)

    def close(self):
        # A task waiting on the socket wakes to OSError(EBADF).
        if not self.closed:
            self.closed = True
            _kernel.close_stream(self.sock)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()


async def open_datagram(local_addr=None, remote_addr=None, family=0):
    # local_addr: (host, port) to bind; remote_addr: (host, port) to send
    # to and only hear from. Names are resolved without blocking.
    sockets()
    local = remote = None
    if local_addr is not None:
        local = (await getaddrinfo(local_addr[0], local_addr[1], family, socket.SOCK_DGRAM))[0]
        family = local[0]
    if remote_addr is not None:
        remote = (await getaddrinfo(remote_addr[0], remote_addr[1], family, socket.SOCK_DGRAM))[0]
        family = remote[0]
    s = socket.socket(family or socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setblocking(False)
        if local is not None:
            s.bind(local[-1])
        if remote is not None:
            s.connect(remote[-1])
    except BaseException:
        s.close()
        raise
    return DatagramSocket(s)

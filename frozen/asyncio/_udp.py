# A small awaitable datagram socket for embedded code (our design, not
# CPython's): `s = await open_datagram(local_addr, remote_addr)`, then
# `n = await s.recv_into(buf)` (no buffer made per datagram: the caller's
# is filled), `data, addr = await s.recvfrom(n)`, `await s.sendto(data,
# addr)`, `s.close()`. Addresses are the port's own (raw sockaddr bytes on
# unix, (host, port) on lwIP boards): what recvfrom() gives, sendto()
# takes back, unconverted. On the poller the streams use.

from errno import EBADF
from . import _kernel
from ._kernel import _core
from ._dns import getaddrinfo, socket, sockets


def _closed(s, *args):
    # What an operation on a closed DatagramSocket does when awaited.
    raise OSError(EBADF, "datagram socket is closed")


# The socket type's own functions, taken unbound once: a bound method, or
# the type's attribute looked up, is an object made per call.
if socket is not None:
    _readinto = socket.socket.readinto
    _recvfrom = socket.socket.recvfrom
    _send = socket.socket.send
    _sendto = socket.socket.sendto


class DatagramSocket:
    # sock: the socket; closed: close() was called; _rx, _tx: the core's
    # awaitable of each direction, made once (an await of one allocates
    # nothing beyond what the operation itself makes)
    def __init__(self, sock):
        self.sock = sock
        self.closed = False
        self._rx = _core.IOCall(sock, False)
        self._tx = _core.IOCall(sock, True)

    def recv_into(self, buf):
        # Awaitable: fills buf with the next datagram, gives the number of
        # bytes. MicroPython's readinto() reads on while buf has room and
        # more datagrams are queued (a socket has no recv_into() there): give
        # it a buffer the size of the protocol's datagrams, else recvfrom().
        return self._rx.arm(_closed if self.closed else _readinto, buf)

    def recvfrom(self, n):
        # Awaitable: (data, sender's address) of the next datagram, at most n bytes.
        return self._rx.arm(_closed if self.closed else _recvfrom, n)

    def sendto(self, data, addr=None):
        # Awaitable: sends one datagram (to the remote address given at
        # opening when addr is None); gives the bytes sent.
        if self.closed:
            return self._tx.arm(_closed, data)
        if addr is None:
            return self._tx.arm(_send, data)
        return self._tx.arm(_sendto, data, addr)

    def close(self):
        # A task waiting on the socket wakes to OSError(EBADF).
        if not self.closed:
            self.closed = True
            _kernel._io.drop(self.sock)

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

# UDP as CPython has it: loop.create_datagram_endpoint() with
# DatagramProtocol and DatagramTransport, on the poller streams use. A
# task per endpoint reads; datagrams the socket cannot take at once wait
# in a queue that a second task sends when the socket is writable.

from errno import EAGAIN
from . import _kernel
from ._kernel import create_task, current_task, CancelledError
from ._streams import wait_io
from ._dns import getaddrinfo, socket, sockets

# The largest datagram read (DatagramTransport.max_size, CPython's name):
# UDP's limit on unix; an MTU on boards, whose RAM a 64 KB read per
# datagram would churn (set it per transport for more). A larger datagram
# is an error_received(), never a cut one.
_MAX = 65536 if hasattr(socket, "sockaddr") else 1500
_EMSGSIZE = 90  # (Linux's and lwIP's number; MicroPython's errno has no name for it)


class BaseProtocol:
    def connection_made(self, transport):
        pass

    def connection_lost(self, exc):
        pass


class DatagramProtocol(BaseProtocol):
    def datagram_received(self, data, addr):
        pass

    def error_received(self, exc):
        pass


def _host_port(addr):
    # CPython's (host, port) from the unix port's raw sockaddr bytes
    if isinstance(addr, (bytes, bytearray)) and hasattr(socket, "sockaddr"):
        family, ip, port = socket.sockaddr(addr)[:3]
        return (socket.inet_ntop(family, ip), port)
    return addr


def _report(message, e):
    _kernel.call_handler({"message": message, "exception": e, "future": None})


class DatagramTransport:
    max_size = _MAX

    def __init__(self, sock, protocol, local, remote, raw_remote):
        self._sock = sock
        self._protocol = protocol
        self._extra = {"socket": sock, "sockname": local, "peername": remote}
        self._remote = raw_remote
        self._queue = []  # (data, raw address) not sent yet
        self._closing = False
        self._reader = create_task(self._read())
        self._writer = None

    def get_extra_info(self, name, default=None):
        return self._extra.get(name, default)

    def get_protocol(self):
        return self._protocol

    def is_closing(self):
        return self._closing

    def get_write_buffer_size(self):
        return sum(len(d) for d, _ in self._queue)

    def sendto(self, data, addr=None):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                "data argument must be a bytes-like object, not %r" % type(data).__name__
            )
        if self._remote is not None:
            if addr not in (None, self._extra["peername"]):
                raise ValueError(
                    "Invalid address: must be None or %s" % (self._extra["peername"],)
                )
            addr = None
        elif addr is None:
            raise ValueError("sendto() needs an address: the endpoint has no remote_addr")
        elif isinstance(addr, tuple):
            addr = _raw(addr[0], addr[1])
        if self._closing:
            return  # as CPython: dropped once the transport is closing
        if not self._queue:
            try:
                self._send(data, addr)
                return
            except OSError as e:
                if e.errno != EAGAIN:
                    self._protocol.error_received(e)
                    return
        self._queue.append((bytes(data), addr))
        if self._writer is None:
            self._writer = create_task(self._flush())

    def _send(self, data, addr):
        if addr is None:
            self._sock.send(data)
        else:
            self._sock.sendto(data, addr)

    async def _flush(self):
        try:
            while self._queue and not self._closing:
                await wait_io(self._sock, True)
                data, addr = self._queue[0]
                try:
                    self._send(data, addr)
                except OSError as e:
                    if e.errno == EAGAIN:
                        continue
                    self._protocol.error_received(e)
                del self._queue[0]
        finally:
            self._writer = None

    async def _read(self):
        s = self._sock
        p = self._protocol
        try:
            while not self._closing:
                await wait_io(s, False)
                try:
                    # (one byte more than max_size: a datagram that fills it was cut)
                    data, addr = s.recvfrom(self.max_size + 1)
                    if len(data) > self.max_size:
                        raise OSError(_EMSGSIZE, "datagram over max_size %d" % self.max_size)
                except OSError as e:
                    # (an ICMP error: port unreachable...)
                    if e.errno != EAGAIN and not self._closing:
                        p.error_received(e)
                    continue
                try:
                    p.datagram_received(data, _host_port(addr))
                except Exception as e:
                    _report("Exception in datagram_received()", e)
        except CancelledError:
            pass

    def close(self):
        if self._closing:
            return
        self._closing = True
        self._queue = []
        for t in (self._reader, self._writer):
            if t is not None and t is not current_task():
                t.cancel()  # (which stops its polling of the socket at once)
        _kernel._io.drop(self._sock)
        create_task(self._lost())

    abort = close

    async def _lost(self):
        try:
            self._protocol.connection_lost(None)
        except Exception as e:
            _report("Exception in connection_lost()", e)


def _raw(host, port):
    # A numeric (host, port) in the form the port's sendto() takes
    return socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0][-1]


async def create_datagram_endpoint(
    protocol_factory,
    local_addr=None,
    remote_addr=None,
    *,
    family=0,
    proto=0,
    flags=0,
    reuse_port=None,
    allow_broadcast=None,
    sock=None,
):
    sockets()
    local = remote = raw_remote = None
    if sock is None:
        if local_addr is not None:
            local = (await getaddrinfo(local_addr[0], local_addr[1], family, socket.SOCK_DGRAM))[0]
            family = local[0]
        if remote_addr is not None:
            remote = (
                await getaddrinfo(remote_addr[0], remote_addr[1], family, socket.SOCK_DGRAM)
            )[0]
            family = remote[0]
        if not family:
            raise ValueError("unexpected address family")
        sock = socket.socket(family, socket.SOCK_DGRAM, proto)
        try:
            sock.setblocking(False)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if allow_broadcast:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            if local is not None:
                sock.bind(local[-1])
            if remote is not None:
                raw_remote = remote[-1]
                sock.connect(raw_remote)
        except BaseException:
            sock.close()
            raise
    else:
        sock.setblocking(False)
    protocol = protocol_factory()
    transport = DatagramTransport(
        sock,
        protocol,
        None if local is None else _host_port(local[-1]),
        None if remote is None else _host_port(raw_remote),
        raw_remote,
    )
    protocol.connection_made(transport)
    return transport, protocol

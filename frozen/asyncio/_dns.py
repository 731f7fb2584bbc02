# Name resolution that does not block the loop: our own DNS client over
# UDP (socket.getaddrinfo() would stop every task until the answer came).
# Numeric addresses and "localhost" (and, where there is one, the hosts
# file) are answered without a query; numeric ones through the port's own
# getaddrinfo, which then does no lookup and gives addresses in the form
# the port's sockets take. The server is the user's (set_nameserver()),
# else the system's: /etc/resolv.conf on unix, what `network` reports on
# boards. With none known, the port's blocking getaddrinfo is the fallback.

from micropython import const
import struct
from errno import EINPROGRESS
from . import _kernel
from ._kernel import _core, TimeoutError
from ._combinators import wait_for_ms

try:
    import socket
except ImportError:
    socket = None  # (QEMU_MPS2_AN385): the names still load; using them says why


def sockets():
    # The socket module, or a clear error on a port without one.
    if socket is None:
        raise OSError(19, "no sockets on this port (no socket module)")  # ENODEV
    return socket


# getaddrinfo's error codes (glibc's values, as CPython's gaierror has)
_EAI_NONAME = const(-2)
_EAI_AGAIN = const(-3)
_EAI_FAIL = const(-4)

_A = const(1)
_AAAA = const(28)

# [(address, port) or None: look it up on first use, timeout ms per try, tries]
config = [None, 2500, 2]
_AF6 = getattr(socket, "AF_INET6", None)


def _numeric(host):
    # An IPv4 dotted quad or an IPv6 address: no query needed.
    if ":" in host:
        return True
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def _system_server():
    # The system's first name server, or None.
    try:
        with open("/etc/resolv.conf") as f:
            for line in f:
                words = line.split()
                if len(words) > 1 and words[0] == "nameserver" and _numeric(words[1]):
                    return (words[1].split("%")[0], 53)
    except OSError:
        pass
    try:
        import network
    except ImportError:
        return None
    try:
        dns = network.ipconfig("dns")  # MicroPython 1.24+
        if dns and dns != "0.0.0.0":
            return (dns, 53)
    except (AttributeError, OSError, ValueError):
        pass
    for kind in ("WLAN", "LAN"):
        try:
            nic = getattr(network, kind)()
            if nic.isconnected():
                return (nic.ifconfig()[3], 53)
        except Exception:
            pass
    return None


def _hosts(host, family):
    # Addresses the hosts file gives the name (ports with a filesystem
    # holding /etc/hosts; the unix port).
    found = []
    try:
        with open("/etc/hosts") as f:
            for line in f:
                words = line.split("#")[0].split()
                if len(words) > 1 and host in words[1:]:
                    found.append(words[0])
    except OSError:
        pass
    return _only(found, family)


def _only(addrs, family):
    if family == socket.AF_INET:
        return [a for a in addrs if ":" not in a]
    if family:
        return [a for a in addrs if ":" in a]
    return addrs


def _query(ident, name, qtype):
    # header: id, recursion desired, one question
    q = bytearray(struct.pack(">HHHHHH", ident, 0x100, 1, 0, 0, 0))
    for label in name.lower().split("."):
        if label:
            if len(label) > 63:
                raise OSError(_EAI_NONAME, "bad name %r" % name)
            q.append(len(label))
            q.extend(label.encode())
    q.extend(struct.pack(">BHH", 0, qtype, 1))  # root, type, class IN
    return q


def _skip_name(msg, i):
    # Past a (possibly compressed) name at msg[i].
    while True:
        n = msg[i]
        if n == 0:
            return i + 1
        if n >= 192:
            return i + 2
        i += n + 1


def _address(rdata):
    if len(rdata) == 4:
        return "%d.%d.%d.%d" % tuple(rdata)
    return socket.inet_ntop(_AF6, rdata)


def _answer(msg, query, out):
    # The addresses an answer to `query` holds, added to out; None if msg is
    # no answer to it (another id or question: ignored, as a forged or late
    # one); True if it was cut short (TC: ask again over TCP).
    n = len(query)
    if (
        len(msg) < n
        or msg[:2] != query[:2]
        or not msg[2] & 0x80
        or msg[12:n].lower() != query[12:n].lower()
    ):
        return None
    if msg[4:6] != b"\x00\x01":
        return None
    if msg[2] & 2:
        return True
    rcode = msg[3] & 15
    if rcode == 3:
        return 3
    if rcode:
        return rcode
    count = msg[6] << 8 | msg[7]
    i = n
    try:
        for _ in range(count):
            i = _skip_name(msg, i)
            kind = msg[i] << 8 | msg[i + 1]
            size = msg[i + 8] << 8 | msg[i + 9]
            i += 10
            if kind in (_A, _AAAA) and size in (4, 16):
                out.append(_address(msg[i : i + size]))
            i += size
    except IndexError:
        return None  # malformed: as if nothing came
    return 0


_ident = [0]


def _new_ident():
    try:
        import random

        return random.getrandbits(16)
    except ImportError:
        _ident[0] = (_ident[0] * 75 + 74) % 65537  # (no random module: at least vary)
        return _ident[0] & 0xFFFF


class _Ready:
    # Park the running task until s is ready to read (or write). (Streams
    # have theirs in _streams, which loads this module.)
    def __init__(self, s, writing):
        self.s = s
        self.writing = writing

    def __iter__(self):
        return self

    def __next__(self):
        if _core.resuming():
            raise StopIteration
        _kernel._io.park(self.s, self.writing)


async def _recv(s):
    await _Ready(s, False)
    return s.recv(1500)


async def _over_tcp(addr, query):
    # A truncated answer: the same query over TCP, length first.
    s = socket.socket(addr[0], socket.SOCK_STREAM)
    try:
        s.setblocking(False)
        try:
            s.connect(addr[-1])
        except OSError as e:
            if e.errno != EINPROGRESS:
                raise
        data = struct.pack(">H", len(query)) + query
        while data:
            await _Ready(s, True)
            data = data[s.send(data) :]
        msg = b""
        while len(msg) < 2 or len(msg) < 2 + (msg[0] << 8 | msg[1]):
            await _Ready(s, False)
            got = s.recv(4096)
            if not got:
                raise OSError(_EAI_FAIL, "name server closed the TCP connection")
            msg += got
        return msg[2:]
    finally:
        _kernel._io.drop(s)


async def _ask(server, name, qtypes):
    # Send one query per type at once; gather the answers, asking again
    # those left unanswered after each timeout.
    timeout, tries = config[1], config[2]
    addr = socket.getaddrinfo(server[0], server[1], 0, socket.SOCK_DGRAM)[0]
    s = socket.socket(addr[0], socket.SOCK_DGRAM)
    out = []
    try:
        s.setblocking(False)
        s.connect(addr[-1])  # the kernel then drops datagrams from elsewhere
        pending = [_query(_new_ident(), name, t) for t in qtypes]
        refused = bad = 0
        for _ in range(tries):
            for q in pending:
                s.send(q)
            while pending:
                try:
                    msg = await wait_for_ms(_recv(s), timeout)
                except OSError:
                    refused = 1  # ICMP port unreachable: no server there
                    break
                except TimeoutError:
                    break
                for q in pending:
                    got = _answer(msg, q, out)
                    if got is True:
                        got = _answer(await wait_for_ms(_over_tcp(addr, q), timeout), q, out) or 0
                    if got is None:
                        continue
                    pending.remove(q)
                    if got:
                        # 3: NXDOMAIN; others, a failure. (For this type:
                        # the other may still answer.)
                        bad = got
                    break
            if not pending:
                break
            if refused:
                break
    finally:
        _kernel._io.drop(s)
    if out:
        return [a for a in out if ":" not in a] + [a for a in out if ":" in a]  # IPv4 first
    where = "from name server %s:%d" % server
    if pending:
        why = "refused" if refused else "no answer in %d ms" % (timeout * tries)
        raise OSError(_EAI_AGAIN, "%s: %s %s" % (name, why, where))
    if bad and bad != 3:
        # SERVFAIL is worth trying again later; REFUSED and the rest not
        code = _EAI_AGAIN if bad == 2 else _EAI_FAIL
        raise OSError(code, "%s: lookup failed (rcode %d %s)" % (name, bad, where))
    why = "NXDOMAIN" if bad else "no address"
    raise OSError(_EAI_NONAME, "%s: name not known (%s %s)" % (name, why, where))


async def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    # CPython's loop.getaddrinfo(): a list of (family, type, proto,
    # canonname, sockaddr), sockaddr as the port's sockets take it.
    sockets()
    if host is None or host == "":
        host = "::" if family == _AF6 else "0.0.0.0"
    if isinstance(host, bytes):
        host = host.decode()
    if _numeric(host):
        addrs = [host]
    elif host.lower() == "localhost" or host.lower().endswith(".localhost"):
        addrs = _only(["127.0.0.1", "::1"] if _AF6 else ["127.0.0.1"], family)
    else:
        addrs = _hosts(host, family)
        if not addrs:
            if config[0] is None:
                config[0] = _system_server() or False
            if not config[0]:
                return socket.getaddrinfo(host, port, family, type, proto, flags)  # blocks
            want = (
                [_A]
                if family == socket.AF_INET or not _AF6
                else [_AAAA]
                if family
                else [_A, _AAAA]
            )
            addrs = await _ask(config[0], host, want)
    out = []
    for a in addrs:
        try:
            out.extend(socket.getaddrinfo(a, port, family, type, proto))
        except OSError:
            pass  # e.g. an IPv6 address on a port without IPv6
    if not out:
        raise OSError(_EAI_NONAME, "%s: no %s address" % (host, "usable" if addrs else "known"))
    return out

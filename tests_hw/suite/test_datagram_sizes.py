# requires: network
# Datagram sizes through create_datagram_endpoint(): up to UDP's 64 KB
# limit whole and intact once the transport's max_size (CPython's name)
# allows them, where the port's stack carries them on loopback (lwIP on
# esp32 refuses 64 KB with ENOMEM); and on ours a datagram over max_size
# is an error_received(EMSGSIZE), never bytes cut short (CPython delivers
# the cut bytes). Sizes up to an MTU: test_datagram_endpoint.py.
import hwtest
from hwtest import eq, true

socket = hwtest.require("socket")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import errno  # noqa: E402

if not hasattr(asyncio, "DatagramProtocol"):  # (an image without the "cpython" extras)
    print("SKIP")
    raise SystemExit

EMSGSIZE = 90  # (Linux's and lwIP's; MicroPython's errno has no name for it)


def pattern(n):
    return bytes(i % 251 for i in range(n))


def stack_carries(n):
    # Whether a plain socket gets an n-byte datagram across loopback: what
    # the port's stack can do, before asking it of the transport.
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(50):
            addr = socket.getaddrinfo("127.0.0.1", hwtest.next_port())[0][-1]
            try:
                a.bind(addr)
                break
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
        a.settimeout(2)
        b.sendto(bytes(n), addr)
        return len(a.recvfrom(n + 1)[0]) == n
    except OSError:
        return False
    finally:
        a.close()
        b.close()


class Catch(asyncio.DatagramProtocol):
    def __init__(self):
        self.got = []
        self.errors = []

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.got.append(data)

    def error_received(self, exc):
        self.errors.append(exc)


async def pair():
    # A receiving endpoint on a fresh port and a sender connected to it.
    loop = asyncio.get_event_loop()
    for _ in range(50):
        port = hwtest.next_port()
        try:
            rx, catch = await loop.create_datagram_endpoint(Catch, local_addr=("127.0.0.1", port))
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    tx, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=("127.0.0.1", port)
    )
    return rx, catch, tx


async def until(cond):
    for _ in range(300):
        if cond():
            return True
        await asyncio.sleep(0.01)
    return False


async def test_large_datagrams_whole_within_max_size():
    sizes = [n for n in (8192, 65507) if stack_carries(n)]
    if not sizes:
        raise hwtest.Skip("the port's stack carries no 8 KB datagram on loopback")
    rx, catch, tx = await pair()
    rx.max_size = 65536
    try:
        for n in sizes:
            tx.sendto(pattern(n))
            true(await until(lambda: catch.got or catch.errors), "%d B never came" % n)
            eq(catch.errors, [])
            got = catch.got.pop()
            eq(len(got), n)
            true(got == pattern(n), "intact")
    finally:
        tx.close()
        rx.close()


async def test_a_datagram_over_max_size_is_an_error_not_cut_bytes():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("CPython delivers the bytes that fit, cut short")
    rx, catch, tx = await pair()
    rx.max_size = 1000
    try:
        tx.sendto(pattern(1400))
        tx.sendto(pattern(1000))  # exactly max_size: whole
        true(await until(lambda: catch.got), "the one that fits never came")
        eq([len(d) for d in catch.got], [1000])
        eq(len(catch.errors), 1, "one error for the datagram over max_size")
        e = catch.errors[0]
        true(isinstance(e, OSError), repr(e))
        eq(e.errno, EMSGSIZE)
    finally:
        tx.close()
        rx.close()


hwtest.main()

# expect: cpython
# requires: network
# UDP as CPython has it: loop.create_datagram_endpoint() with a
# DatagramProtocol, on loopback: an echo server and a client, datagrams
# kept in order, sizes up to an Ethernet MTU, close() calling
# connection_lost(None), and a closed transport dropping sendto() (as
# CPython does). (ICMP errors: test_datagram_unreachable.py; up to UDP's
# 64 KB and over max_size: test_datagram_sizes.py.)
import asyncio
import errno
import time

if not hasattr(asyncio, "DatagramProtocol"):  # (an image without the "cpython" extras)
    print("SKIP")
    raise SystemExit

SIZES = [1, 512, 1400]  # (an empty one: CPython 3.11 sends nothing, 3.13 sends it)


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


class Client(asyncio.DatagramProtocol):
    def __init__(self):
        self.got = []
        self.errors = []
        self.lost = []
        self.made = False
        self.event = asyncio.Event()

    def connection_made(self, transport):
        self.made = True

    def datagram_received(self, data, addr):
        self.got.append(data)
        self.event.set()

    def error_received(self, exc):
        self.errors.append(exc)
        self.event.set()

    def connection_lost(self, exc):
        self.lost.append(exc)


async def until(cond, tries=300):
    for _ in range(tries):
        if cond():
            return True
        await asyncio.sleep(0.01)
    return False


async def endpoint(factory, **kw):
    loop = asyncio.get_event_loop()
    first = 20000 + (int(time.time()) * 11) % 20000
    for port in range(first, first + 50):
        try:
            t, p = await loop.create_datagram_endpoint(
                factory, local_addr=("127.0.0.1", port), **kw
            )
            return t, p, port
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, "no free port")


async def main():
    loop = asyncio.get_event_loop()
    server, _, port = await endpoint(Echo)
    client, proto = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", port))
    print("connection_made before the await returned:", proto.made)

    # order: datagrams sent together come back in order, five at a time
    # (UDP may drop what a receiver has no room for: lwIP queues six per
    # socket, where a kernel queues hundreds)
    ok = True
    for first in range(0, 100, 5):
        for i in range(first, first + 5):
            client.sendto(b"%d" % i)
        want = first + 5
        ok = ok and await until(lambda: len(proto.got) == want)  # noqa: B023  (awaited here)
    print("in order:", ok, proto.got == [b"%d" % i for i in range(100)])

    # sizes up to an MTU
    proto.got = []
    for n in SIZES:
        client.sendto(bytes(n % 251 for n in range(n)))
    await until(lambda: len(proto.got) == len(SIZES))
    print("sizes:", [len(d) for d in proto.got])
    print("intact:", all(d == bytes(n % 251 for n in range(len(d))) for d in proto.got))

    # sendto() to another address than remote_addr is refused
    try:
        client.sendto(b"x", ("127.0.0.1", port + 1))
    except ValueError:
        print("other address: ValueError")

    client.close()
    print("closing:", client.is_closing())
    await until(lambda: proto.lost)
    print("connection_lost:", proto.lost)
    client.sendto(b"after close")  # dropped, as in CPython
    await asyncio.sleep(0.05)
    server.close()


asyncio.run(main())

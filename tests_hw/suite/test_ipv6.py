# requires: network ipv6
# IPv6 on loopback: a server on ::1 and one on the any-address ::, reached
# by open_connection("::1"), and loop.getaddrinfo() giving an AF_INET6
# address a socket of that family takes. The runner skips the file where
# the port's stack cannot reach ::1 (the esp32 port's getaddrinfo gives no
# IPv6 address); IPv4 is tested in test_tcp.py. Runs on CPython too.
import hwtest
from hwtest import eq

socket = hwtest.require("socket")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

start = hwtest.start_server


async def echo_line(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def round_trip(listen_on):
    # A server listening on listen_on, reached at ::1: a line there and back.
    server, port = await start(echo_line, host=listen_on)
    reader, writer = await asyncio.open_connection("::1", port)
    writer.write(b"six\n")
    await writer.drain()
    eq(await reader.readline(), b"six\n")
    eq(await reader.read(10), b"", "the handler closed")
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


async def test_server_on_the_loopback_address():
    # (stock upstream's start_server always makes an AF_INET socket: EAFNOSUPPORT)
    await round_trip("::1")


async def test_server_on_the_any_address():
    await round_trip("::")


async def test_getaddrinfo_gives_an_address_of_the_family():
    loop = asyncio.get_event_loop()
    if not hasattr(loop, "getaddrinfo"):
        raise hwtest.Skip("loop.getaddrinfo() is in the cpython extras")
    found = await loop.getaddrinfo("::1", 0, family=socket.AF_INET6, type=socket.SOCK_STREAM)
    family, kind, proto, canon, addr = found[0]
    eq((family, kind), (socket.AF_INET6, socket.SOCK_STREAM))
    s = socket.socket(family, kind)
    try:
        s.bind(addr)
    finally:
        s.close()


hwtest.main()

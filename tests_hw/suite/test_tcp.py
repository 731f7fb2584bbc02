# requires: network
# TCP streams over loopback: open_connection/start_server, echo, EOF,
# peername, backlog with several clients, a server closed while clients are
# connected, Server as an async context manager, at_eof(), serve_forever(),
# refused connections (IPv6: test_ipv6.py). Needs a usable
# interface, not just `socket`: the runner skips it on boards without one
# (QEMU_MPS2_AN385 has no socket; a Pyboard has no NIC). Runs on CPython too
# (reader/writer roles kept apart).
import hwtest
from hwtest import eq, true, araises

socket = hwtest.require("socket")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import errno  # noqa: E402  (imports follow the file's feature checks)

next_port = hwtest.next_port
start = hwtest.start_server


def host_port(peer):
    # MicroPython's unix port hands out raw sockaddr bytes, lwIP and CPython
    # an (host, port) tuple: compare the decoded form.
    if isinstance(peer, (bytes, bytearray)):
        family, addr, port = socket.sockaddr(peer)[:3]
        return socket.inet_ntop(family, addr), port
    return peer[0], peer[1]


async def echo_lines(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


def says(data):
    # A server handler that sends data, then closes the connection.
    async def handler(reader, writer):
        writer.write(data)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    return handler


async def close_server(server):
    server.close()
    await server.wait_closed()


async def test_echo_and_eof():
    server, port = await start(echo_lines)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"hello\n")
    await writer.drain()
    eq(await reader.readline(), b"hello\n")
    writer.write(b"a\nb")
    writer.write(b"c\n")
    await writer.drain()
    eq(await reader.readline(), b"a\n")
    eq(await reader.readexactly(3), b"bc\n")
    writer.close()
    await writer.wait_closed()
    await close_server(server)


async def test_read_until_peer_closes():
    async def talker(reader, writer):
        for i in range(3):
            writer.write(b"chunk%d;" % i)
            await writer.drain()
            await asyncio.sleep(0.01)
        writer.close()
        await writer.wait_closed()

    server, port = await start(talker)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    eq(await reader.read(-1), b"chunk0;chunk1;chunk2;", "read() until EOF")
    eq(await reader.read(10), b"", "then b''")
    writer.close()
    await writer.wait_closed()
    await close_server(server)


async def test_readexactly_eof_over_tcp():
    server, port = await start(says(b"12"))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # IncompleteReadError (CPython's), an EOFError (what upstream raises)
    e = await araises(asyncio.IncompleteReadError, reader.readexactly(5))
    true(isinstance(e, EOFError), "an EOFError")
    eq((e.partial, e.expected), (b"12", 5))
    writer.close()
    await writer.wait_closed()
    await close_server(server)


async def test_plain_function_callback_and_writer_helpers():
    # start_server() takes a plain function too; the server keeps serving.
    streams = []

    def keep(reader, writer):
        streams.append(writer)

    server, port = await start(keep)
    for _ in range(2):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(500):
            if streams:
                break
            await asyncio.sleep(0.01)
        peer = streams.pop()
        peer.writelines([b"a", b"b", b"c\n"])
        await peer.drain()
        eq(await reader.readline(), b"abc\n")
        eq(peer.is_closing(), False)
        peer.close()
        true(peer.is_closing(), "is_closing() after close()")
        await peer.wait_closed()
        writer.close()
        await writer.wait_closed()
    await close_server(server)


async def test_big_transfer_with_partial_writes():
    size = 8 * 1024
    got = []

    async def sink(reader, writer):
        got.append(await reader.read(-1))
        writer.close()
        await writer.wait_closed()

    server, port = await start(sink)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = bytes(i & 0xFF for i in range(size))
    writer.write(payload)
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    for _ in range(500):
        if got:
            break
        await asyncio.sleep(0.01)
    eq(len(got), 1, "server finished reading")
    eq(len(got[0]), size)
    true(got[0] == payload, "payload intact")
    await close_server(server)


async def test_server_side_peername():
    seen = []

    async def record(reader, writer):
        seen.append(writer.get_extra_info("peername"))
        writer.close()
        await writer.wait_closed()

    server, port = await start(record)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.read(-1)
    writer.close()
    await writer.wait_closed()
    await close_server(server)
    eq(len(seen), 1)
    host, peer_port = host_port(seen[0])
    eq(host, "127.0.0.1", "peer host")
    true(isinstance(peer_port, int) and peer_port not in (0, port), "peer port is the client's")


async def test_client_side_peername():
    # CPython gives it for both ends; stock upstream only for server streams
    server, port = await start(echo_lines)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    peer = writer.get_extra_info("peername")
    writer.close()
    await writer.wait_closed()
    await close_server(server)
    eq(host_port(peer), ("127.0.0.1", port))


async def test_backlog_many_clients():
    async def one_client(port, i):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"client %d\n" % i)
        await writer.drain()
        line = await reader.readline()
        writer.close()
        await writer.wait_closed()
        return line

    server, port = await start(echo_lines, backlog=2)
    lines = await asyncio.gather(*[one_client(port, i) for i in range(6)])
    eq(lines, [b"client %d\n" % i for i in range(6)])
    await close_server(server)


async def test_server_closed_with_clients_connected():
    server, port = await start(echo_lines)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"before\n")
    await writer.drain()
    eq(await reader.readline(), b"before\n")
    server.close()
    await asyncio.sleep(0.01)
    # the accepted connection keeps working after the server stops listening
    writer.write(b"after\n")
    await writer.drain()
    eq(await reader.readline(), b"after\n")
    await refused(port)
    writer.close()
    await writer.wait_closed()
    await asyncio.wait_for(server.wait_closed(), hwtest.ENDS)


async def refused(port):
    # A refused connection raises at open_connection, with the socket's
    # errno, as in CPython (stock MicroPython reports it only at the first
    # read or write on the stream). The time limit only stops a hang: a
    # kernel refuses at once, lwIP under QEMU took up to 2 s.
    e = await araises(OSError, asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 20))
    eq(e.errno if e.errno is not None else e.args[0], errno.ECONNREFUSED, "errno of %r" % (e,))


async def test_upstream_internals():
    # Names code written for upstream MicroPython's asyncio reads: the
    # server's accept task ends normally once close() was called, and a
    # stream keeps its object in .s, get_extra_info()'s dict in .e and
    # unsent bytes in .out_buf.
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("MicroPython's Server and Stream internals")
    server, port = await start(echo_lines)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    true(writer.s is not None and writer.e is not None, "stream .s and .e")
    eq(writer.out_buf, b"")
    writer.close()
    await writer.wait_closed()
    server.close()
    eq(await server.task, None, "accept task after close()")
    await server.wait_closed()


async def test_connection_refused():
    await refused(next_port())


async def test_server_async_with():
    port = next_port()
    async with await asyncio.start_server(echo_lines, "127.0.0.1", port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"in block\n")
        await writer.drain()
        eq(await reader.readline(), b"in block\n")
        writer.close()
        await writer.wait_closed()
    await refused(port)


async def test_at_eof_after_the_peer_closes():
    server, port = await start(says(b"a\nb\n"))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    eq(reader.at_eof(), False, "nothing read yet")
    lines = [await reader.readline()]
    eq(reader.at_eof(), False, "a line is left")
    # CPython's idiom; it may see the end with the last line or with a
    # b"" after it, depending on when the close arrived
    while not reader.at_eof():
        lines.append(await reader.readline())
    eq([x for x in lines if x], [b"a\n", b"b\n"])
    true(reader.at_eof(), "still at the end")
    eq(await reader.read(10), b"")
    writer.close()
    await writer.wait_closed()
    await close_server(server)


async def test_read_of_nothing_is_not_eof():
    server, port = await start(echo_lines)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"x\n")
    await writer.drain()
    eq(await reader.read(0), b"")
    eq(reader.at_eof(), False, "read(0) asks for nothing, meets no end")
    eq(await reader.readline(), b"x\n")
    writer.close()
    await writer.wait_closed()
    await close_server(server)


async def test_serve_forever_until_cancelled():
    server, port = await start(echo_lines)
    true(server.is_serving(), "serving once started")
    runner = asyncio.create_task(server.serve_forever())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"x\n")
    await writer.drain()
    eq(await reader.readline(), b"x\n")
    writer.close()
    await writer.wait_closed()
    runner.cancel()
    await araises(asyncio.CancelledError, runner)
    eq(server.is_serving(), False, "cancelling serve_forever() closed the server")
    await refused(port)


async def test_serve_forever_ends_when_the_server_is_closed():
    server, port = await start(echo_lines)
    runner = asyncio.create_task(server.serve_forever())
    await asyncio.sleep(0.01)
    true(not runner.done(), "serving")
    server.close()
    # (as in CPython: serve_forever() ends with CancelledError)
    await araises(asyncio.CancelledError, runner)
    await server.wait_closed()
    eq(server.is_serving(), False)
    await araises(RuntimeError, server.serve_forever())
    await refused(port)


hwtest.main()

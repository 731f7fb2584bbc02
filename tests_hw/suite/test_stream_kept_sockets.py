# requires: network
# A socket stays in the loop's poller between waits (registered once, not
# registered and unregistered per wait), and that never costs a program
# anything: a socket that hangs up, is closed behind its stream's back or is
# dropped unclosed while nobody waits on it neither spins the loop nor stays
# in the poller for long. Seen through a poller that counts its calls.
import hwtest
from hwtest import eq, true

hwtest.require("micropython")  # the package's I/O table
socket = hwtest.require("socket")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

MAX_IDLE = 8  # kept sockets nobody waits on, at most (the loop's _MAX_IDLE)


class CountingPoller:
    # Stands in for the loop's select.poll: counts what the loop asks of it.
    def __init__(self, real):
        self.real = real
        self.registers = 0
        self.unregisters = 0
        self.polls = 0

    def register(self, s, mask):
        self.registers += 1
        self.real.register(s, mask)

    def unregister(self, s):
        self.unregisters += 1
        self.real.unregister(s)

    def modify(self, s, mask):
        self.real.modify(s, mask)

    def ipoll(self, ms):
        self.polls += 1
        return self.real.ipoll(ms)


def counting():
    io = asyncio._kernel._io
    if io.poller is None:
        io.poller = asyncio._kernel._new_poller()
    io.poller = CountingPoller(io.poller)
    return io, io.poller


start = hwtest.start_server


def kept(io):
    # sockets in the poller that nobody waits on
    return len(io.slots) - io.active


async def test_a_connection_waited_on_again_and_again_is_registered_once():
    io, poller = counting()

    async def echo(reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
        writer.close()

    server, port = await start(echo)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(3):  # (connected, both sides waited once)
        writer.write(b"%d\n" % i)
        eq(await reader.readline(), b"%d\n" % i)
    before = poller.registers + poller.unregisters
    for i in range(30):  # each side waits for each line
        writer.write(b"%d\n" % i)
        eq(await reader.readline(), b"%d\n" % i)
    eq(poller.registers + poller.unregisters - before, 0, "poller changes in 30 exchanges")
    writer.close()
    server.close()
    await server.wait_closed()
    eq(len(io.slots), 0, "streams left in the poller after close")


async def test_a_kept_socket_that_hangs_up_does_not_spin_the_loop():
    io, poller = counting()
    idle = asyncio.Event()
    seen = []

    async def handler(reader, writer):
        seen.append(await reader.readline())  # (a wait: the socket is kept)
        await idle.wait()  # nobody waits on the socket while the peer leaves
        seen.append(await reader.readline())
        writer.close()

    server, port = await start(handler)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.sleep_ms(10)
    writer.write(b"hello\n")
    await writer.drain()
    while not seen:
        await asyncio.sleep_ms(1)
    writer.close()  # the server's socket is kept, idle, and its peer is gone
    polls = poller.polls
    await asyncio.sleep_ms(100)  # the accept loop's wait keeps the loop polling
    # (A kept socket reported again and again would make this thousands.)
    true(poller.polls - polls < 20, "%d polls in 100 ms" % (poller.polls - polls))
    idle.set()
    while len(seen) < 2:
        await asyncio.sleep_ms(1)
    eq(seen, [b"hello\n", b""])
    server.close()
    await server.wait_closed()


async def test_a_socket_closed_behind_its_streams_back():
    # The raw socket closed while kept: the loop goes on, and its fd, reused
    # at once by the next connection, serves that one.
    io, poller = counting()
    streams = []

    async def handler(reader, writer):
        streams.append(writer)
        line = await reader.readline()
        writer.write(line)
        await writer.drain()

    server, port = await start(handler)
    for i in range(4):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"%d\n" % i)
        eq(await reader.readline(), b"%d\n" % i)
        writer.s.close()  # (not writer.close(): the stream is not told)
        polls = poller.polls
        await asyncio.sleep_ms(20)
        true(poller.polls - polls < 10, "%d polls in 20 ms" % (poller.polls - polls))
    server.close()
    await server.wait_closed()
    for w in streams:
        w.close()


async def test_streams_dropped_unclosed_do_not_stay_in_the_poller():
    io, poller = counting()

    async def handler(reader, writer):
        await reader.readline()
        writer.write(b"x\n")
        await writer.drain()
        await asyncio.sleep_ms(50)  # then returns, the connection left open

    rounds = MAX_IDLE + 4
    hwtest.require_sockets(2 * rounds + 1)  # (each round leaves both ends open)
    server, port = await start(handler)
    most = 0
    for i in range(rounds):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep_ms(0)
        writer.write(b"%d\n" % i)
        eq(await reader.readline(), b"x\n")  # (a wait: the socket is kept)
        most = max(most, kept(io))
        # dropped here, unclosed
    true(most <= MAX_IDLE + 1, "%d idle sockets kept" % most)
    server.close()
    await server.wait_closed()


async def test_a_read_waiting_when_its_stream_closes_sees_the_end():
    # The closed socket's fd may be the next connection's before the waiting
    # task runs: the read ends (as CPython's) and never reads that one's data.
    lines = []

    async def handler(reader, writer):
        await asyncio.sleep_ms(50)
        writer.write(b"for-whoever-connected\n")
        await writer.drain()
        writer.close()

    server, port = await start(handler)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    waiting = asyncio.create_task(reader.read(100))
    await asyncio.sleep_ms(5)
    writer.close()
    r2, w2 = await asyncio.open_connection("127.0.0.1", port)
    lines.append(await asyncio.wait_for(waiting, hwtest.ENDS))
    lines.append(await asyncio.wait_for(r2.readline(), hwtest.ENDS))
    eq(lines, [b"", b"for-whoever-connected\n"])
    # and writes to a closed stream go nowhere; drain() says it is closed
    writer.write(b"late")
    await hwtest.araises(OSError, writer.drain())
    w2.close()
    server.close()
    await server.wait_closed()


def pair_of_sockets():
    # (a connected pair made without the loop: client side non-blocking)
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    addr = socket.getaddrinfo("127.0.0.1", hwtest.next_port())[0][-1]
    lst.bind(addr)
    lst.listen(1)
    c = socket.socket()
    c.connect(addr)
    s, _ = lst.accept()
    lst.close()
    c.setblocking(False)
    return c, s


def test_a_task_of_an_old_loop_cancelled_in_a_new_one():
    # (asyncio.Runner makes a new loop per run: a task kept across them.)
    # Cancelled in the new loop, it must not upset that loop's count of
    # streams waited on: the one read of the new loop must still be polled.
    c1, s1 = pair_of_sockets()
    c2, s2 = pair_of_sockets()
    kept = []

    async def first():
        kept.append(asyncio.create_task(asyncio.Stream(c1).read(10)))
        await asyncio.sleep_ms(5)

    async def second():
        kept[0].cancel()
        s2.send(b"hi")
        return await asyncio.wait_for(asyncio.Stream(c2).read(10), hwtest.ENDS)

    asyncio.new_event_loop()
    asyncio.run(first())
    asyncio.new_event_loop()
    eq(asyncio.run(second()), b"hi")
    for x in (c1, s1, c2, s2):
        x.close()


def test_nothing_stays_in_the_poller_after_run():
    async def greet(reader, writer):
        await asyncio.sleep_ms(5)
        writer.write(b"hi\n")
        await writer.drain()
        writer.close()

    async def main():
        server, port = await start(greet)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        eq(await reader.readline(), b"hi\n")  # (a wait: the socket is kept)
        server.close()
        await server.wait_closed()
        eq(kept(asyncio._kernel._io), 1, "idle sockets kept")
        return writer  # left open, as programs do at the end of main()

    asyncio.new_event_loop()
    writer = asyncio.run(main())
    eq(len(asyncio._kernel._io.slots), 0, "streams in the poller after run()")
    writer.close()


hwtest.main()

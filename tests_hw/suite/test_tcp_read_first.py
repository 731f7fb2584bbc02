# requires: network
# The package's own sockets (from start_server and open_connection) are
# read before they are polled: data already waiting costs no poll and no
# turn of the loop. Yet a peer that never runs dry cannot starve the other
# tasks, and a socket the user wraps in a Stream is still polled first.
import hwtest
from hwtest import eq, true

hwtest.require("micropython")
socket = hwtest.require("socket")
import asyncio  # noqa: E402  (imports follow the file's feature checks)


start = hwtest.start_server


async def pair():
    # (server-side stream, client-side stream) of one loopback connection
    got = []

    async def accept(reader, writer):
        got.append(reader)

    server, port = await start(accept)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while not got:
        await asyncio.sleep_ms(1)
    return server, got[0], writer


async def test_waiting_lines_are_read_without_a_turn_of_the_loop():
    server, theirs, mine = await pair()
    mine.write(b"a\nb\nc\n")
    await mine.drain()
    eq(await theirs.readline(), b"a\n")  # (may wait for the bytes to cross)
    ticker, turns = hwtest.ticker()
    await asyncio.sleep_ms(0)
    before = turns[0]
    eq(await theirs.readline(), b"b\n")
    eq(await theirs.readline(), b"c\n")
    eq(turns[0], before, "loop turns while reading waiting lines")
    ticker.cancel()
    mine.close()
    theirs.close()
    server.close()
    await server.wait_closed()


async def test_a_peer_that_never_runs_dry_does_not_starve_others():
    server, theirs, mine = await pair()
    mine.write(b"x\n" * 200)
    await mine.drain()
    eq(await theirs.readline(), b"x\n")
    ticker, turns = hwtest.ticker()
    seen = []
    for _ in range(199):
        eq(await theirs.readline(), b"x\n")
        seen.append(turns[0])
    ticker.cancel()
    runs = 0
    gap = longest = 0
    for a, b in zip([seen[0]] + seen, seen):  # noqa: B905  (MicroPython's zip has no strict=)
        if b != a:
            runs += 1
            gap = 0
        else:
            gap += 1
            longest = max(longest, gap)
    true(runs >= 199 // 32, "other task ran %d times in 199 reads" % runs)
    true(longest <= 32, "%d reads in a row without a turn for the others" % longest)
    mine.close()
    theirs.close()
    server.close()
    await server.wait_closed()


async def test_a_socket_the_user_wraps_is_polled_first():
    # A blocking socket with a timeout: read before it is ready, it would
    # stall the whole loop and then fail with ETIMEDOUT.
    got = []

    async def accept(reader, writer):
        got.append(writer)

    server, port = await start(accept)
    s = socket.socket()
    s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    s.settimeout(5)
    stream = asyncio.Stream(s)
    while not got:
        await asyncio.sleep_ms(1)
    ticker, turns = hwtest.ticker()

    async def later():
        await asyncio.sleep_ms(20)
        got[0].write(b"late\n")
        await got[0].drain()

    asyncio.create_task(later())
    eq(await stream.readline(), b"late\n")
    true(turns[0] > 1, "the loop ran while the read waited")
    ticker.cancel()
    stream.close()
    got[0].close()
    server.close()
    await server.wait_closed()


hwtest.main()

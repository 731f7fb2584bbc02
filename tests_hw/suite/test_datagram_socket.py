# requires: network
# Our awaitable datagram socket (asyncio.open_datagram, the "all" extras;
# not CPython's API): echo over loopback, recv_into() filling the caller's
# buffer with nothing allocated for the data, recvfrom()'s address going
# back through sendto(), a closed socket refusing clearly, a waiting
# receive woken by close(), one waiter per direction, and other tasks
# running while a receive waits. (ICMP errors: test_datagram_unreachable.py.)
import hwtest
from hwtest import eq, true, raises, araises

import asyncio
import errno
import time

socket = hwtest.require("socket")
hwtest.require("asyncio.open_datagram")  # (the "all" extras)
if not hwtest.MICROPYTHON:
    print("SKIP")  # our own API
    raise SystemExit

_port = [20000 + (int(time.time()) * 17) % 20000]


async def bound(remote=None):
    for _ in range(50):
        _port[0] += 1
        try:
            return await asyncio.open_datagram(("127.0.0.1", _port[0]), remote), _port[0]
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, "no free port")


async def echo(sock):
    while True:
        data, addr = await sock.recvfrom(2048)
        await sock.sendto(data, addr)


async def test_echo_through_recv_into():
    server, port = await bound()
    task = asyncio.create_task(echo(server))
    client = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    buf = bytearray(64)
    for i in range(20):
        eq(await client.sendto(b"ping %d" % i), 5 + len(str(i)))
        n = await client.recv_into(buf)
        eq(bytes(buf[:n]), b"ping %d" % i)
    task.cancel()
    client.close()
    server.close()


async def test_queued_datagrams_of_the_buffers_size_come_one_per_call():
    server, port = await bound()
    client = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    for i in range(5):
        await client.sendto(b"%08d" % i)
    buf = bytearray(8)
    got = []
    for _ in range(5):
        n = await asyncio.wait_for(server.recv_into(buf), hwtest.ENDS)
        got.append(bytes(buf[:n]))
    eq(got, [b"%08d" % i for i in range(5)])
    client.close()
    server.close()


async def test_recv_into_allocates_nothing_for_the_data():
    import gc

    server, port = await bound()
    client = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    payload = bytes(1000)
    buf = bytearray(1000)
    rounds = 20  # 20 KB for recvfrom: room on every board's heap

    async def sender():
        for _ in range(rounds):
            await asyncio.sleep(0)
            await client.sendto(payload)

    # First use loads what it needs, and a receive that waits registers the
    # socket with the poller, where it stays: a board's stack may deliver a
    # datagram a step late (ESP32 under load), and then a measured receive
    # waits too.
    waiting = asyncio.create_task(server.recv_into(buf))
    await asyncio.sleep(0)
    await client.sendto(payload)
    await waiting
    for way in ("recv_into", "waited", "recvfrom"):
        gc.collect()
        task = asyncio.create_task(sender()) if way == "waited" else None
        # no collection in between: one (an ESP32's small first heap fills at once) hid
        # recvfrom's 1,000 B per round (43 B were counted)
        gc.disable()
        try:
            before = gc.mem_alloc()
            for _ in range(rounds):
                if task is None:
                    await client.sendto(payload)
                if way == "recvfrom":
                    await server.recvfrom(1000)
                else:
                    await server.recv_into(buf)  # ("waited": before the datagram is sent)
            per = (gc.mem_alloc() - before) // rounds
        finally:
            gc.enable()
        if task is not None:
            await task
        if way != "recvfrom":
            # The datagram is 1,000 bytes. The C core's awaits allocate
            # nothing at all, waiting or not; the Python core's make a
            # StopIteration each.
            if asyncio._kernel._core.__name__ == "_asyncio":
                eq(per, 0, "bytes allocated per sendto() + recv_into() (%s)" % way)
            else:
                true(per < 256, "recv_into allocates %d B per datagram (%s)" % (per, way))
        else:
            true(per >= 1000, "recvfrom makes the datagram's bytes (%d B)" % per)
    client.close()
    server.close()


async def test_a_closed_socket_refuses_clearly():
    sock, port = await bound()
    sock.close()
    sock.close()  # twice is fine
    e = await araises(OSError, sock.sendto(b"x", b""))
    eq(e.errno, errno.EBADF)
    true("closed" in str(e), "says why: %s" % e)
    await araises(OSError, sock.recv_into(bytearray(4)))


async def test_close_wakes_a_waiting_receive():
    sock, port = await bound()
    waiter = asyncio.create_task(sock.recv_into(bytearray(8)))
    await asyncio.sleep(0)
    sock.close()
    e = await araises(OSError, asyncio.wait_for(waiter, 2))
    eq(e.errno, errno.EBADF)


async def test_one_waiter_per_direction_and_after_a_cancel():
    sock, port = await bound()
    first = asyncio.create_task(sock.recv_into(bytearray(8)))
    await asyncio.sleep(0)
    # (refused when asked, before any await)
    raises(RuntimeError, sock.recv_into, bytearray(8))
    first.cancel()
    await araises(asyncio.CancelledError, first)
    # the cancelled waiter left nothing behind
    client = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    await client.sendto(b"again")
    buf = bytearray(8)
    eq(await asyncio.wait_for(sock.recv_into(buf), hwtest.ENDS), 5)
    client.close()
    sock.close()


async def test_others_run_while_a_receive_waits():
    sock, port = await bound()
    task, turns = hwtest.ticker()
    waiter = asyncio.create_task(sock.recvfrom(100))
    for _ in range(50):
        await asyncio.sleep(0)
    true(turns[0] >= 40, "ticker ran %d times" % turns[0])
    eq(waiter.done(), False)
    client = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    await client.sendto(b"now")
    data, addr = await asyncio.wait_for(waiter, hwtest.ENDS)
    eq(data, b"now")
    # the sender's address, as the port gives it, goes back through sendto()
    await sock.sendto(b"back", addr)
    eq((await asyncio.wait_for(client.recvfrom(10), hwtest.ENDS))[0], b"back")
    task.cancel()
    client.close()
    sock.close()


async def test_two_receives_asked_before_either_waits():
    # Each call is its own operation: the first fills its own buffer, the
    # second is refused when it comes to wait (one receiver at a time), and
    # no datagram is given twice or to the wrong buffer.
    sock, port = await bound()
    client = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    buf1, buf2 = bytearray(8), bytearray(8)

    async def send_soon():
        await asyncio.sleep_ms(5)
        await client.sendto(b"AAAAAAAA")

    asyncio.create_task(send_soon())
    # (awaited at once: gather watches its tasks from its first step)
    got = await asyncio.gather(sock.recv_into(buf1), sock.recv_into(buf2), return_exceptions=True)
    eq(got[0], 8)
    eq(type(got[1]), RuntimeError)
    eq((bytes(buf1), bytes(buf2)), (b"AAAAAAAA", bytes(8)))
    await client.sendto(b"0123456789")
    await client.sendto(b"second")
    a, b = sock.recvfrom(3), sock.recvfrom(50)  # (both asked, then awaited)
    eq((await asyncio.wait_for(a, hwtest.ENDS))[0], b"012")
    eq((await asyncio.wait_for(b, hwtest.ENDS))[0], b"second")
    client.close()
    sock.close()


async def test_a_send_loop_lets_the_others_run():
    # Sending never waits on loopback: without a turn now and then for the
    # others, timers (and wait_for) would never fire.
    sock, port = await bound()
    sink = await asyncio.open_datagram(remote_addr=("127.0.0.1", port))
    ticker, turns = hwtest.ticker()

    async def blast():
        for _ in range(2000):
            await sink.sendto(b"x" * 32)

    await blast()
    ticker.cancel()
    true(turns[0] >= 2000 // 32, "others ran %d times in 2000 sends" % turns[0])
    sink.close()
    sock.close()


async def test_async_with_closes():
    async with (await bound())[0] as sock:
        pass
    eq(sock.closed, True)


hwtest.main()

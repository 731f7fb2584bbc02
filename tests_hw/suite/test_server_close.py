# requires: network
# Servers that end cleanly (CPython 3.12/3.13): wait_closed() waits for
# the handlers still running, close_clients()/abort_clients() end them
# (a waiting read ends), `async with server` does both. Stock upstream's
# wait_closed() returns as soon as the accept loop ends, and it has no
# close_clients(). (IPv6 servers: test_ipv6.py.)
import hwtest
from hwtest import eq

import asyncio

socket = hwtest.require("socket")

start = hwtest.start_server


def need_312():
    import sys

    if not hwtest.MICROPYTHON and sys.version_info < (3, 12):
        raise hwtest.Skip("wait_closed() waits for handlers from CPython 3.12")


def need_313(server):
    if not hasattr(server, "close_clients"):
        raise hwtest.Skip("close_clients() is CPython 3.13's")


async def rounds(n=20):
    for _ in range(n):
        await asyncio.sleep(0)


async def until(cond, what):
    for _ in range(500):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never: " + what)


async def test_wait_closed_waits_for_the_handlers():
    need_312()
    release = asyncio.Event()
    entered = []

    async def handler(reader, writer):
        entered.append(1)
        await release.wait()
        writer.write(b"bye\n")
        await writer.drain()
        writer.close()

    server, port = await start(handler)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await until(lambda: entered, "handler started")
    server.close()
    waiter = asyncio.create_task(server.wait_closed())
    await rounds()
    eq(waiter.done(), False, "wait_closed() done with a handler running")
    release.set()
    await asyncio.wait_for(waiter, hwtest.ENDS)
    eq(await reader.readline(), b"bye\n", "the handler finished its work")
    writer.close()


async def test_close_clients_ends_a_waiting_read():
    seen = []
    entered = []

    async def handler(reader, writer):
        entered.append(1)
        try:
            seen.append(await reader.read(10))
        except OSError:
            seen.append("OSError")

    server, port = await start(handler)
    need_313(server)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await until(lambda: entered, "connection accepted")
    await rounds()
    server.close()
    server.close_clients()
    await asyncio.wait_for(server.wait_closed(), hwtest.ENDS)
    # The reader sees the end, as CPython's
    eq(seen, [b""], "the waiting read ended")
    eq(await asyncio.wait_for(reader.read(10), hwtest.ENDS), b"", "the client sees the end")
    writer.close()


async def test_close_clients_sends_what_was_queued():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("queues through our Stream's out_buf")

    async def handler(reader, writer):
        writer.out_buf = b"queued\n"  # as a write the socket did not take yet
        await asyncio.Event().wait()

    server, port = await start(handler)
    need_313(server)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await until(lambda: server.clients, "connection accepted")
    await rounds()
    server.close_clients()
    eq(await asyncio.wait_for(reader.read(100), hwtest.ENDS), b"queued\n")
    server.close()
    # the handler still waits on its Event: cancel it so wait_closed() ends
    for task in list(server.clients.values()):
        task.cancel()
    await asyncio.wait_for(server.wait_closed(), hwtest.ENDS)
    writer.close()


async def test_abort_clients_drops_the_queue_and_writes_fail():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("queues through our Stream's out_buf")
    outcome = []

    async def handler(reader, writer):
        writer.out_buf = b"dropped\n"
        try:
            await reader.read(10)
            outcome.append("read")
        except OSError:
            outcome.append("read: OSError")
        try:
            writer.write(b"late")
            await writer.drain()
            outcome.append("wrote")
        except OSError:
            outcome.append("write: OSError")
        raise OSError(9, "the handler's own error after abort_clients() is not reported")

    server, port = await start(handler)
    need_313(server)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await until(lambda: server.clients, "connection accepted")
    await rounds()
    server.abort_clients()
    server.close()
    await asyncio.wait_for(server.wait_closed(), hwtest.ENDS)
    # the read sees the end (as CPython's); write() drops, drain() raises
    eq(outcome, ["read", "write: OSError"])
    eq(await asyncio.wait_for(reader.read(100), hwtest.ENDS), b"", "nothing queued was sent")
    writer.close()


async def test_wait_closed_after_a_handler_raised():
    loop = asyncio.get_event_loop()
    reported = []
    loop.set_exception_handler(lambda loop, context: reported.append(context["exception"]))
    try:

        async def handler(reader, writer):
            writer.close()
            raise ValueError("handler failed")

        server, port = await start(handler)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        eq(await asyncio.wait_for(reader.read(10), hwtest.ENDS), b"")
        server.close()
        await asyncio.wait_for(server.wait_closed(), hwtest.ENDS)
        writer.close()
        await rounds()
    finally:
        loop.set_exception_handler(None)
    eq([str(e) for e in reported], ["handler failed"], "reported once")


async def test_async_with_waits_for_the_handlers():
    need_312()
    release = asyncio.Event()
    done = []
    entered = []

    async def handler(reader, writer):
        entered.append(1)
        await release.wait()
        done.append(1)
        writer.close()

    async def later():
        await rounds()
        release.set()

    server, port = await start(handler)
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await until(lambda: entered, "accepted")
        asyncio.create_task(later())
    eq(done, [1], "the handler ran to its end before the block was left")
    writer.close()


async def test_plain_function_handlers_are_not_waited_for():
    kept = []
    server, port = await start(lambda r, w: kept.append(w))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await until(lambda: kept, "accepted")
    server.close()
    await asyncio.wait_for(server.wait_closed(), hwtest.ENDS)
    kept[0].close()
    writer.close()


hwtest.main()

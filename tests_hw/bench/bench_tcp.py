# asyncio streams over loopback TCP: bulk transfer and request/response round
# trips, server and client in one process. Needs a socket module (unix port).
#
# Run: micropython bench_tcp.py [SCALE]
# Prints "BENCH <name> <value> <unit> n=<count>", or "BENCH tcp skip -" without sockets.
import gc
import sys
import time

import asyncio

SCALE = 1.0
ALLOC_OPS = 100

_argv = getattr(sys, "argv", None) or []
if len(_argv) > 1:
    SCALE = float(_argv[1])

try:
    import socket  # noqa: F401  only probing
except ImportError:
    socket = None

CHUNK = 4096
LINE = b"0123456789abcde\n"


async def _serve(reader, writer):
    # First byte says which test: b"B" bulk sink, b"R" echo lines.
    kind = await reader.readexactly(1)
    if kind == b"B":
        while await reader.read(CHUNK):
            pass
    else:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
    writer.close()
    await writer.wait_closed()


async def _start_server():
    # start_server does not report a kernel-chosen port, so try a few fixed ones.
    port = 30000 + time.ticks_us() % 20000
    for attempt in range(20):
        try:
            return port + attempt, await asyncio.start_server(_serve, "127.0.0.1", port + attempt)
        except OSError:
            pass
    raise OSError("no free loopback port")


async def bulk(port, nbytes):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"B")
    block = bytes(CHUNK)
    start = time.ticks_us()
    sent = 0
    while sent < nbytes:
        writer.write(block)
        await writer.drain()
        sent += CHUNK
    writer.close()
    await writer.wait_closed()
    return sent, time.ticks_diff(time.ticks_us(), start)


async def request_response(port, rounds, alloc_rounds):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"R")
    for _ in range(10):  # warm up
        writer.write(LINE)
        await writer.drain()
        await reader.readline()
    start = time.ticks_us()
    for _ in range(rounds):
        writer.write(LINE)
        await writer.drain()
        if await reader.readline() != LINE:
            raise RuntimeError("echo mismatch")
    micros = time.ticks_diff(time.ticks_us(), start)
    gc.collect()
    gc.disable()
    base = gc.mem_alloc()
    for _ in range(alloc_rounds):
        writer.write(LINE)
        await writer.drain()
        await reader.readline()
    grown = gc.mem_alloc() - base
    gc.enable()
    writer.close()
    await writer.wait_closed()
    return micros, grown


async def main():
    port, server = await _start_server()
    nbytes = max(CHUNK, int(8_000_000 * SCALE) // CHUNK * CHUNK)
    sent, micros = await bulk(port, nbytes)
    print("BENCH tcp_bulk", int(sent / max(micros, 1) * 1_000_000 / 1024), "KiB/s", "n=%d" % sent)
    rounds = max(1, int(5000 * SCALE))
    alloc_rounds = min(rounds, ALLOC_OPS)
    micros, grown = await request_response(port, rounds, alloc_rounds)
    print("BENCH tcp_rr", int(rounds * 1_000_000 / max(micros, 1)), "ops/s", "n=%d" % rounds)
    print("BENCH tcp_rr.alloc", "%.1f" % (grown / alloc_rounds), "B/op", "n=%d" % alloc_rounds)
    server.close()
    await server.wait_closed()


if socket is None or not hasattr(asyncio, "start_server"):
    print("BENCH tcp skip -")
else:
    asyncio.run(main())

# A UART as asyncio StreamReader/StreamWriter: lines and exact reads through a
# TX-to-RX loopback, a reader parked on the UART until data comes, a read
# timing out when none does. Needs the loopback (rp2: UART0, GP0 to GP1, as
# rp2040js's bridge wires it; a jumper on a real Pico); without it, or on
# ports not listed in LOOPS: SKIP.
import sys
import hwtest
from hwtest import eq

hwtest.require("machine.UART")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import machine  # noqa: E402  (imports follow the file's feature checks)
import time  # noqa: E402  (imports follow the file's feature checks)

LOOPS = {"rp2": (0, 0, 1)}  # sys.platform -> (UART id, TX pin, RX pin) wired together
if sys.platform not in LOOPS:
    print("SKIP")
    raise SystemExit


def looped():
    n, tx, rx = LOOPS[sys.platform]
    uart = machine.UART(n, 115200, tx=machine.Pin(tx), rx=machine.Pin(rx), rxbuf=512)
    while uart.any():
        uart.read()
    uart.write(b"\x55")
    for _ in range(100):  # 100 ms at most: a byte takes 87 us at 115200 baud
        if uart.any():
            break
        time.sleep_ms(1)
    if uart.read() != b"\x55":
        raise hwtest.Skip("no loopback from UART%d TX to RX" % n)
    return uart


async def test_lines_through_the_loopback():
    uart = looped()
    reader, writer = asyncio.StreamReader(uart), asyncio.StreamWriter(uart, {})
    for i in range(3):
        writer.write(b"line %d\n" % i)
        await writer.drain()
        eq(await asyncio.wait_for(reader.readline(), 5), b"line %d\n" % i)


async def test_readexactly_across_writes():
    uart = looped()
    reader, writer = asyncio.StreamReader(uart), asyncio.StreamWriter(uart, {})
    data = bytes(range(200))

    async def write_in_chunks():
        for i in range(0, len(data), 50):
            writer.write(data[i : i + 50])
            await writer.drain()
            await asyncio.sleep(0)

    w = asyncio.create_task(write_in_chunks())
    eq(await asyncio.wait_for(reader.readexactly(len(data)), 5), data)
    await w


async def test_reader_parked_until_data_comes():
    uart = looped()
    reader, writer = asyncio.StreamReader(uart), asyncio.StreamWriter(uart, {})
    got = []

    async def read_one():
        got.append(await reader.read(5))

    r = asyncio.create_task(read_one())
    for _ in range(3):
        await asyncio.sleep(0)
    eq(got, [], "nothing to read yet")
    writer.write(b"hello")
    await writer.drain()
    await asyncio.wait_for(r, 5)
    eq(got, [b"hello"])


async def test_read_times_out_with_no_data():
    uart = looped()
    reader = asyncio.StreamReader(uart)
    try:
        await asyncio.wait_for(reader.read(1), 0.05)
        timed_out = False
    except asyncio.TimeoutError:
        timed_out = True
    eq(timed_out, True, "a read with nothing sent waits")


hwtest.main()

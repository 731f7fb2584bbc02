# Stream over any object with an ioctl() poll method (tutorial 6.4): an
# in-memory fake UART that is fed by a task over time. Covers read(n),
# read(-1), readexactly (+ EOFError), readuntil, readinto, readline, partial reads, EOF,
# write + drain with partial device writes, close/wait_closed, the legacy
# awrite/aclose, cancelling a blocked read, and the Stream aliases; an object
# that cannot be polled gives an error and leaves the task usable.
import hwtest
from hwtest import eq, true, raises, araises

hwtest.require("micropython")  # MicroPython streams; CPython's differ
io = hwtest.require("io")
hwtest.require("io.IOBase")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

MP_STREAM_POLL = 3
MP_STREAM_CLOSE = 4
MP_STREAM_POLL_RD = 1
MP_STREAM_POLL_WR = 4
MP_STREAM_ERROR = -1


class FakeUART(io.IOBase):
    """RX bytes arrive via feed(); TX accepts at most tx_chunk bytes per
    write() and only while tx_room > 0 (like a small hardware FIFO)."""

    def __init__(self, tx_chunk=3, tx_room=1 << 30):
        self.rx = bytearray()
        self.eof = False
        self.tx = bytearray()
        self.tx_chunk = tx_chunk
        self.tx_room = tx_room
        self.closed = 0

    def feed(self, data):
        self.rx += data

    def ioctl(self, req, arg):
        if req == MP_STREAM_POLL:
            ret = 0
            if arg & MP_STREAM_POLL_RD and (self.rx or self.eof):
                ret |= MP_STREAM_POLL_RD
            if arg & MP_STREAM_POLL_WR and self.tx_room > 0:
                ret |= MP_STREAM_POLL_WR
            return ret
        if req == MP_STREAM_CLOSE:
            self.closed += 1
            return 0
        return MP_STREAM_ERROR

    def _take(self, n):
        if n < 0 or n > len(self.rx):
            n = len(self.rx)
        data = bytes(self.rx[:n])
        self.rx = self.rx[n:]
        return data

    def read(self, n=-1):
        if not self.rx and not self.eof:
            return None  # nothing yet: the caller must wait for POLL_RD
        return self._take(n)

    def readinto(self, buf):
        data = self.read(len(buf))
        if data is None:
            return None
        buf[: len(data)] = data
        return len(data)

    def readline(self):
        if not self.rx and not self.eof:
            return None
        i = self.rx.find(b"\n")
        return self._take(len(self.rx) if i < 0 else i + 1)

    def write(self, buf):
        n = min(len(buf), self.tx_chunk, self.tx_room)
        if n == 0:
            return None
        self.tx += bytes(buf[:n])
        self.tx_room -= n
        return n

    def close(self):
        self.closed += 1


async def feeder(dev, chunks, eof=False, gap_ms=5):
    for c in chunks:
        await asyncio.sleep_ms(gap_ms)
        dev.feed(c)
    if eof:
        await asyncio.sleep_ms(gap_ms)
        dev.eof = True


def test_aliases():
    true(asyncio.StreamReader is asyncio.StreamWriter, "one class for both ends")


def test_stream_class_is_public():
    # spec 001 lists asyncio.Stream itself (stock upstream only has the aliases)
    true(asyncio.Stream is asyncio.StreamReader, "Stream is the aliased class")


async def test_read_partial():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    # the second chunk comes once the first was read (two chunks fed 5 ms
    # apart could both be there by the time a loaded board reads)
    asyncio.create_task(feeder(dev, [b"ab"]))
    eq(await s.read(10), b"ab", "read(n) returns what has arrived, not n")
    asyncio.create_task(feeder(dev, [b"cdef"]))
    eq(await s.read(3), b"cde")
    eq(await s.read(3), b"f")


async def test_read_all_until_eof():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    asyncio.create_task(feeder(dev, [b"one ", b"two ", b"three"], eof=True))
    eq(await s.read(), b"one two three")
    eq(await s.read(), b"", "at EOF read() gives b''")
    eq(await s.read(5), b"", "at EOF read(n) gives b''")
    eq(await s.read(-1), b"")


async def test_readexactly():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    asyncio.create_task(feeder(dev, [b"12", b"345", b"6789"], eof=True))
    eq(await s.readexactly(4), b"1234", "across chunks")
    eq(await s.readexactly(0), b"")
    eq(await s.readexactly(3), b"567")
    await araises(EOFError, s.readexactly(5))  # only b"89" left before EOF


async def test_readuntil():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    asyncio.create_task(
        feeder(dev, [b"GET / HT", b"TP/1.0\r\nHost: x\r\n\r", b"\nbody", b"!"], eof=True)
    )
    eq(
        await s.readuntil(b"\r\n\r\n"),
        b"GET / HTTP/1.0\r\nHost: x\r\n\r\n",
        "across chunks, separator included",
    )
    eq(await s.read(4), b"body", "nothing read past the separator")
    e = await araises(EOFError, s.readuntil(b";"))
    eq(e.partial, b"!", "IncompleteReadError.partial")
    true(e.expected is None and "undefined" in str(e), "no expected size: %s" % e)


async def test_readuntil_lets_other_tasks_run():
    # A stream that never runs dry must not starve the loop: each byte is
    # polled for, as every read is, so other tasks run in between.
    dev = FakeUART()
    dev.feed(b"x" * 40 + b";")
    s = asyncio.StreamReader(dev)
    t, turns = hwtest.ticker()
    await asyncio.sleep_ms(0)
    before = turns[0]
    eq(await s.readuntil(b";"), b"x" * 40 + b";")
    true(
        turns[0] - before >= 20,
        "other task ran %d times during a 41-byte readuntil" % (turns[0] - before),
    )
    t.cancel()


async def test_readinto():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    buf = bytearray(4)
    asyncio.create_task(feeder(dev, [b"xy"]))  # the rest once this is read
    eq(await s.readinto(buf), 2, "partial readinto")
    eq(bytes(buf[:2]), b"xy")
    asyncio.create_task(feeder(dev, [b"zwvu"], eof=True))
    eq(await s.readinto(buf), 4)
    eq(buf, bytearray(b"zwvu"))
    eq(await s.readinto(buf), 0, "0 at EOF")


async def test_readline():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    asyncio.create_task(feeder(dev, [b"hel", b"lo\nwor", b"ld\n\nta", b"il"], eof=True))
    eq(await s.readline(), b"hello\n", "line split over chunks")
    eq(await s.readline(), b"world\n")
    eq(await s.readline(), b"\n", "empty line")
    eq(await s.readline(), b"tail", "last line without newline at EOF")
    eq(await s.readline(), b"", "then b'' at EOF")


async def test_write_drain_partial_device_writes():
    dev = FakeUART(tx_chunk=3)
    s = asyncio.StreamWriter(dev)
    s.write(b"hello ")
    s.write(bytearray(b"wide "))
    s.write(memoryview(b"world!")[:5])
    await s.drain()
    eq(bytes(dev.tx), b"hello wide world")
    await s.drain()  # nothing buffered: returns
    eq(bytes(dev.tx), b"hello wide world", "nothing written twice")


async def test_drain_waits_for_device_room():
    dev = FakeUART(tx_chunk=4, tx_room=4)
    s = asyncio.StreamWriter(dev)
    drained = []

    async def writer():
        s.write(b"0123456789")
        await s.drain()
        drained.append(bytes(dev.tx))

    t = asyncio.create_task(writer())
    await asyncio.sleep_ms(20)
    eq(drained, [], "drain blocks while the device is full")
    eq(bytes(dev.tx), b"0123")
    dev.tx_room = 100  # the device drains its FIFO
    await asyncio.wait_for_ms(t, hwtest.ENDS * 1000)
    eq(drained, [b"0123456789"])


async def test_cancelled_drain_keeps_the_rest_and_sends_nothing_twice():
    dev = FakeUART(tx_chunk=2, tx_room=6)
    s = asyncio.StreamWriter(dev)
    s.write(b"0123456789")  # "01" straight through, the rest queued
    t = asyncio.create_task(s.drain())
    # "2345" sent, then the device is full. Waiting turns of the loop, not a
    # time: under ESP32's QEMU the drain's first I/O wait took 640 ms once, and
    # a 10 ms sleep ended before it had sent anything.
    for _ in range(50):
        if not dev.tx_room:
            break
        await asyncio.sleep_ms(0)
    eq(bytes(dev.tx), b"012345")
    t.cancel()
    await araises(asyncio.CancelledError, t)
    dev.tx_room = 100
    await s.drain()
    eq(bytes(dev.tx), b"0123456789")


async def test_write_while_a_drain_waits_is_sent_too():
    dev = FakeUART(tx_chunk=2, tx_room=4)
    s = asyncio.StreamWriter(dev)
    s.write(b"abcdef")  # "ab" straight through, "cdef" queued
    t = asyncio.create_task(s.drain())
    await asyncio.sleep_ms(10)  # "cd" sent, then the device is full
    s.write(b"XYZ")  # another writer while the drain waits
    dev.tx_room = 100
    await asyncio.wait_for_ms(t, hwtest.ENDS * 1000)
    eq(bytes(dev.tx), b"abcdefXYZ")


async def test_drain_with_nothing_queued_yields_now_and_then():
    # drain() with nothing queued completes without a turn of the loop (as
    # CPython's), yet a write+drain loop must not starve other tasks: they
    # get a turn every few drains, again and again.
    dev = FakeUART(tx_chunk=100)
    s = asyncio.StreamWriter(dev)
    turns = []
    drains = [0]

    async def bystander():
        while True:
            turns.append(drains[0])
            await asyncio.sleep_ms(0)

    b = asyncio.create_task(bystander())
    for _ in range(100):
        s.write(b"x")
        await s.drain()
        drains[0] += 1
    b.cancel()
    true(turns and turns[0] > 1, "the first drain did not yield: %r" % turns[:3])
    true(len(turns) >= 3, "other tasks ran %d times in 100 drains" % len(turns))
    gaps = [b - a for a, b in zip([0] + turns, turns)]  # noqa: B905  (no strict= here)
    true(max(gaps) <= 32, "a task waited %d drains for its turn" % max(gaps))
    eq(bytes(dev.tx), b"x" * 100)


async def test_read_and_write_same_device():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    reader = asyncio.create_task(s.readexactly(3))
    await asyncio.sleep_ms(5)
    s.write(b"ping")  # writing while another task waits to read
    await s.drain()
    dev.feed(b"pon")
    eq(await asyncio.wait_for_ms(reader, hwtest.ENDS * 1000), b"pon")
    eq(bytes(dev.tx), b"ping")


async def test_two_devices():
    a, b = FakeUART(), FakeUART()
    ra, rb = asyncio.StreamReader(a), asyncio.StreamReader(b)
    ta = asyncio.create_task(ra.readline())
    tb = asyncio.create_task(rb.readline())
    await asyncio.sleep_ms(5)
    b.feed(b"bee\n")
    eq(await asyncio.wait_for_ms(tb, 500), b"bee\n")
    eq(ta.done(), False, "a still waiting")
    a.feed(b"ay\n")
    eq(await asyncio.wait_for_ms(ta, 500), b"ay\n")


async def test_cancel_blocked_read():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    t = asyncio.create_task(s.read(4))
    await asyncio.sleep_ms(5)
    t.cancel()
    await araises(asyncio.CancelledError, t)
    # the device is free to be waited on again
    asyncio.create_task(feeder(dev, [b"late"]))
    eq(await asyncio.wait_for_ms(s.read(4), 500), b"late")


async def test_freed_wait_does_not_wake_another_device():
    # A cancelled reader frees its device's wait; a reader of another device
    # then waits, and only that device's data wakes it.
    a, b = FakeUART(), FakeUART()
    ta = asyncio.create_task(asyncio.StreamReader(a).read(2))
    await asyncio.sleep_ms(5)
    ta.cancel()
    await araises(asyncio.CancelledError, ta)
    tb = asyncio.create_task(asyncio.StreamReader(b).read(2))
    await asyncio.sleep_ms(5)
    a.feed(b"aa")
    await asyncio.sleep_ms(5)
    eq(tb.done(), False, "data for a woke b's reader")
    b.feed(b"bb")
    eq(await asyncio.wait_for_ms(tb, 500), b"bb")
    eq(bytes(a.rx), b"aa", "nobody read a")


async def test_flag_and_device_waiters_together():
    # One task waits on a ThreadSafeFlag, another on a device: each wakes
    # for its own event only, whether the loop is busy or blocked.
    flag = hwtest.require("asyncio.ThreadSafeFlag")()
    dev = FakeUART()
    reader = asyncio.create_task(asyncio.StreamReader(dev).read(3))
    flagged = asyncio.create_task(flag.wait())
    await asyncio.sleep_ms(10)
    flag.set()
    await asyncio.wait_for_ms(flagged, 500)
    eq(reader.done(), False, "the flag woke the device's reader")
    flagged = asyncio.create_task(flag.wait())
    await asyncio.sleep_ms(10)
    dev.feed(b"abc")
    eq(await asyncio.wait_for_ms(reader, 500), b"abc")
    eq(flagged.done(), False, "the device woke the flag's waiter")
    flag.set()
    await asyncio.wait_for_ms(flagged, 500)


class NoPoll(io.IOBase):
    # A stream-like object with no ioctl(): it cannot be polled.
    def read(self, n=-1):
        return None


class NotAStream:
    # Not an io.IOBase: select.poll refuses to register it.
    def read(self, n=-1):
        return None


async def test_unpollable_object_is_refused():
    # An io.IOBase without ioctl() is refused at once, not when the loop
    # polls it (bare-metal ports' poll() only finds out then, which would
    # stop the loop).
    raises(TypeError, asyncio.StreamReader, NoPoll())
    # Any other object fails when the read waits; the task stays usable.
    await araises(OSError, asyncio.StreamReader(NotAStream()).read(1))
    await asyncio.sleep_ms(1)
    dev = FakeUART()
    asyncio.create_task(feeder(dev, [b"ok"]))
    eq(await asyncio.wait_for_ms(asyncio.StreamReader(dev).read(2), 500), b"ok")
    # The failed wait left the task runnable: it sleeps and reads as usual.
    await asyncio.sleep_ms(1)
    dev = FakeUART()
    asyncio.create_task(feeder(dev, [b"ok"]))
    eq(await asyncio.wait_for_ms(asyncio.StreamReader(dev).read(2), 500), b"ok")


async def test_read_timeout_then_read():
    dev = FakeUART()
    s = asyncio.StreamReader(dev)
    await araises(asyncio.TimeoutError, asyncio.wait_for_ms(s.read(1), 10))
    dev.feed(b"!")
    eq(await asyncio.wait_for_ms(s.read(1), 500), b"!")


async def test_close_wait_closed():
    dev = FakeUART()
    s = asyncio.StreamWriter(dev)
    s.write(b"bye")
    await s.drain()
    s.close()
    await s.wait_closed()
    true(dev.closed >= 1, "device closed")
    eq(bytes(dev.tx), b"bye")


async def test_legacy_awrite_aclose():
    dev = FakeUART(tx_chunk=2)
    s = asyncio.StreamWriter(dev)
    await s.awrite(b"abc")
    await s.awrite(b"0123456", 2, 3)  # buf, offset, size
    await s.awrite(b"xyz", 1)  # offset only: to the end
    eq(bytes(dev.tx), b"abc234yz")
    await s.aclose()
    true(dev.closed >= 1, "aclose closes the device")


hwtest.main()

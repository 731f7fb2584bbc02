# Reads try a stream before polling it only when the package made that
# stream itself (its non-blocking sockets). Any other stream -- a UART, a
# driver written in Python whose read() would block -- is read only after
# the poller said it is ready, for every read method, also when data from
# an earlier read is still waiting in it. Here a device that fails loudly
# when read without a "ready" from its ioctl since the previous read.
import hwtest
from hwtest import eq, true

hwtest.require("micropython")  # MicroPython streams; CPython's differ
io = hwtest.require("io")
hwtest.require("io.IOBase")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

MP_STREAM_POLL = 3
MP_STREAM_POLL_RD = 1


class PollFirstDevice(io.IOBase):
    # read*() raise unless ioctl has answered "readable" since the last read:
    # a read before that would have blocked on a real driver.
    def __init__(self):
        self.rx = bytearray()
        self.eof = False
        self.ready_seen = False
        self.reads = 0
        self.early = []

    def feed(self, data):
        self.rx += data

    def ioctl(self, req, arg):
        if req == MP_STREAM_POLL:
            if arg & MP_STREAM_POLL_RD and (self.rx or self.eof):
                self.ready_seen = True
                return MP_STREAM_POLL_RD
            return 0
        return -1  # MP_STREAM_ERROR (no file descriptor to poll, unix asks)

    def _check(self, what):
        self.reads += 1
        if not self.ready_seen:
            self.early.append(what)
        self.ready_seen = False

    def read(self, n=-1):
        self._check("read")
        if not self.rx:
            return b"" if self.eof else None
        if n < 0 or n > len(self.rx):
            n = len(self.rx)
        data = bytes(self.rx[:n])
        self.rx = self.rx[n:]
        return data

    def readinto(self, buf):
        self._check("readinto")
        n = min(len(buf), len(self.rx))
        buf[:n] = self.rx[:n]
        self.rx = self.rx[n:]
        return n

    def readline(self):
        self._check("readline")
        i = self.rx.find(b"\n")
        n = len(self.rx) if i < 0 else i + 1
        data = bytes(self.rx[:n])
        self.rx = self.rx[n:]
        return data if data or self.eof else None

    def write(self, buf):
        return len(buf)


async def test_every_read_method_polls_first_with_data_waiting():
    dev = PollFirstDevice()
    s = asyncio.StreamReader(dev)
    dev.feed(b"one\ntwo\nthree\nfourfive-six;seven")
    eq(await s.readline(), b"one\n")
    eq(await s.readline(), b"two\n")  # still buffered in the device: polled all the same
    eq(await s.readline(), b"three\n")
    eq(await s.read(4), b"four")
    eq(await s.readexactly(4), b"five")
    eq(await s.readuntil(b";"), b"-six;")
    buf = bytearray(5)
    eq(await s.readinto(buf), 5)
    eq(bytes(buf), b"seven")
    dev.eof = True
    dev.feed(b"end")
    eq(await s.read(), b"end")
    eq(dev.early, [])
    true(dev.reads >= 12, "reads: %d" % dev.reads)


async def test_polls_first_when_data_arrives_in_pieces():
    dev = PollFirstDevice()
    s = asyncio.StreamReader(dev)

    async def feeder():
        for piece in (b"ab", b"c\nde", b"f\n"):
            await asyncio.sleep_ms(1)
            dev.feed(piece)

    asyncio.create_task(feeder())
    eq(await s.readline(), b"abc\n")
    eq(await s.readexactly(3), b"def")
    eq(dev.early, [])


async def test_user_wrapped_object_is_not_tried_first_even_if_flagged_elsewhere():
    # Two streams over two devices: the package's marker lives on the
    # stream, not on anything shared.
    a, b = PollFirstDevice(), PollFirstDevice()
    sa, sb = asyncio.StreamReader(a), asyncio.StreamReader(b)
    a.feed(b"x\n")
    b.feed(b"y\n")
    eq(await sa.readline(), b"x\n")
    eq(await sb.readline(), b"y\n")
    eq(a.early + b.early, [])


hwtest.main()

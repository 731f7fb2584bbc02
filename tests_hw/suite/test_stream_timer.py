# Tutorial 6.4 patterns on a Python object with ioctl(): an awaitable
# millisecond timer built on StreamReader.read(1), and a poll-driven callback
# on a simulated pin (the ioctl reports a change, read() runs the callback).
# MicroPython-only (io.IOBase with ioctl polling): expected output in .exp.
import io
import time
import asyncio

if not hasattr(io, "IOBase") or not hasattr(asyncio, "sleep_ms"):
    print("SKIP")
    raise SystemExit

MP_STREAM_POLL = 3
MP_STREAM_POLL_RD = 1
MP_STREAM_ERROR = -1


class MillisecTimer(io.IOBase):
    def __init__(self):
        self.end = 0
        self.sreader = asyncio.StreamReader(self)

    def __iter__(self):
        yield from self.sreader.read(1)

    def __call__(self, ms):
        self.end = time.ticks_add(time.ticks_ms(), ms)
        return self

    def read(self, _):
        return b"a"

    def ioctl(self, req, arg):
        if req != MP_STREAM_POLL:
            return MP_STREAM_ERROR
        if arg & MP_STREAM_POLL_RD and time.ticks_diff(time.ticks_ms(), self.end) >= 0:
            return MP_STREAM_POLL_RD
        return 0


class FakePin:
    def __init__(self):
        self.level = 0

    def value(self):
        return self.level


class PinCall(io.IOBase):
    def __init__(self, pin, on_change):
        self.pin = pin
        self.on_change = on_change
        self.seen = pin.value()
        self.sreader = asyncio.StreamReader(self)

    async def run(self):
        while True:
            await self.sreader.read(1)

    def read(self, _):
        self.on_change(self.seen)
        return b"x"

    def ioctl(self, req, arg):
        if req != MP_STREAM_POLL:
            return MP_STREAM_ERROR
        if arg & MP_STREAM_POLL_RD and self.pin.value() != self.seen:
            self.seen = self.pin.value()
            return MP_STREAM_POLL_RD
        return 0


async def timer_demo():
    timer = MillisecTimer()
    for n in range(3):
        start = time.ticks_ms()
        await timer(30)
        print("timer", n, "waited enough:", time.ticks_diff(time.ticks_ms(), start) >= 30)


async def ticker(log):
    for n in range(3):
        log.append("tick %d" % n)
        await asyncio.sleep_ms(10)


async def pin_demo():
    pin = FakePin()
    watcher = PinCall(pin, lambda level: print("pin changed to", level))
    task = asyncio.create_task(watcher.run())
    for level in (1, 1, 0, 1):
        await asyncio.sleep_ms(20)
        pin.level = level
        await asyncio.sleep_ms(20)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("watcher cancelled")


async def main():
    log = []
    # the timer parks on the poller, so other tasks keep running meanwhile
    await asyncio.gather(timer_demo(), ticker(log))
    print(log)
    await pin_demo()


asyncio.run(main())

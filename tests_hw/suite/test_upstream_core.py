# asyncio.core: what drivers written for upstream's asyncio reach for.
# micropython-lib's aioespnow waits on a pollable object with a bare
# `yield asyncio.core._io_queue.queue_read(obj)` inside an async def.
import io
import time
import asyncio
import hwtest

hwtest.require("io.IOBase")
core = hwtest.require("asyncio.core")

_POLL = 3
_RD = 1
_WR = 4


class Pollable(io.IOBase):
    # readable while items are queued; writable once `room` is set
    def __init__(self):
        self.items = []
        self.room = False

    def ioctl(self, cmd, arg):
        if cmd != _POLL:
            return -1
        return (arg & _RD if self.items else 0) | (arg & _WR if self.room else 0)

    async def arecv(self):
        yield core._io_queue.queue_read(self)
        return self.items.pop(0)

    async def asend(self, item):
        yield core._io_queue.queue_write(self)
        self.items.append(item)


async def test_queue_read_wakes_when_readable():
    p = Pollable()

    async def later():
        await asyncio.sleep_ms(20)
        p.items.append(b"msg")

    asyncio.create_task(later())
    hwtest.eq(await asyncio.wait_for_ms(p.arecv(), hwtest.ENDS * 1000), b"msg")


async def test_task_sleeps_normally_after_a_bare_yield_wait():
    # The woken task must not look "parked" to the next awaitable it meets.
    p = Pollable()
    p.items.append(1)
    await p.arecv()
    t0 = time.ticks_ms()
    await asyncio.sleep_ms(30)
    hwtest.true(time.ticks_diff(time.ticks_ms(), t0) >= 25, "sleep_ms(30) after queue_read slept")


async def test_queue_write_and_cancel():
    p = Pollable()
    t = asyncio.create_task(p.asend("x"))
    await asyncio.sleep_ms(10)
    hwtest.eq(p.items, [], "waits until writable")
    p.room = True
    await asyncio.wait_for_ms(t, hwtest.ENDS * 1000)
    hwtest.eq(p.items, ["x"])
    q = Pollable()
    t = asyncio.create_task(q.arecv())
    await asyncio.sleep_ms(5)
    t.cancel()
    await hwtest.araises(asyncio.CancelledError, t)
    # nothing left registered: the loop goes idle and this returns at once
    await asyncio.sleep_ms(1)


async def test_names():
    import asyncio.core as imported

    hwtest.true(imported is core, "import asyncio.core gives the same module")
    hwtest.true(core.cur_task is asyncio.current_task(), "cur_task inside a task")
    hwtest.true(core.sleep_ms is asyncio.sleep_ms, "other names come from the package")
    hwtest.true(isinstance(core.ticks(), int), "ticks()")


def test_outside_a_task():
    hwtest.eq(core.cur_task, None)
    hwtest.raises(RuntimeError, core._io_queue.queue_read, Pollable())


hwtest.main()

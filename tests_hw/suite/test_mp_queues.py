# MicroPython extras: RingbufQueue (fixed storage, overwrite-oldest on a
# full put_nowait) and ThreadSafeQueue (put_nowait allocation-free, as an
# IRQ needs), ThreadSafeFlag.is_set().
import asyncio
import hwtest

RingbufQueue = hwtest.require("asyncio.RingbufQueue")


def test_ring_order_and_overwrite():
    q = RingbufQueue(3)
    hwtest.true(q.empty(), "empty at start")
    for i in range(3):
        q.put_nowait(i)
    hwtest.true(q.full(), "full after 3")
    hwtest.raises(IndexError, q.put_nowait, 3)
    hwtest.eq(q.qsize(), 3, "size after overwrite")
    hwtest.eq([q.get_nowait() for _ in range(3)], [1, 2, 3], "oldest overwritten")
    hwtest.raises(IndexError, q.get_nowait)


def test_ring_caller_buffer():
    import array

    q = RingbufQueue(array.array("i", [0] * 5))
    for i in range(4):
        q.put_nowait(i * 10)
    hwtest.true(q.full(), "array of 5 holds 4")
    hwtest.eq(q.get_nowait(), 0)


async def test_ring_async_producer_consumer():
    q = RingbufQueue(2)
    got = []

    async def consumer():
        async for item in q:
            got.append(item)
            if item == 9:
                return

    c = asyncio.create_task(consumer())
    for i in range(10):
        await q.put(i)
    await asyncio.wait_for(c, hwtest.ENDS)
    hwtest.eq(got, list(range(10)), "every item, in order")


async def test_ring_put_get_no_alloc():
    micropython = hwtest.require("micropython")
    if not hasattr(micropython, "heap_lock"):
        raise hwtest.Skip("no heap_lock")
    q = RingbufQueue(4)
    q.put_nowait(1)
    q.get_nowait()
    micropython.heap_lock()
    try:
        for i in range(20):
            q.put_nowait(i)
            q.get_nowait()
    finally:
        micropython.heap_unlock()


def test_threadsafe_put_no_alloc():
    micropython = hwtest.require("micropython")
    q = asyncio.ThreadSafeQueue(4)
    micropython.heap_lock()
    try:
        for i in range(4):
            q.put_nowait(i)
        err = None
        try:
            q.put_nowait(99)
        except IndexError as e:
            err = e
    finally:
        micropython.heap_unlock()
    hwtest.true(err is not None, "full queue raises IndexError")
    hwtest.eq([q.get_nowait() for _ in range(4)], [0, 1, 2, 3])


def test_threadsafe_sync_methods():
    # The tutorial's names for producers and consumers outside the loop.
    q = asyncio.ThreadSafeQueue(2)
    q.put_sync(1)
    q.put_sync(2, block=True)  # room: does not spin
    hwtest.raises(IndexError, q.put_sync, 3)
    hwtest.eq(q.get_sync(), 1)
    hwtest.eq(q.get_sync(block=True), 2)
    hwtest.raises(IndexError, q.get_sync)
    hwtest.eq(q.qsize(), 0)


async def test_threadsafe_queue_scheduled_producer():
    # micropython.schedule runs the producer outside any task, as an IRQ
    # handler's soft callback would.
    micropython = hwtest.require("micropython")
    q = asyncio.ThreadSafeQueue(8)

    def produce(n):
        q.put_nowait(n)

    got = []
    for i in range(5):
        micropython.schedule(produce, i)
        got.append(await asyncio.wait_for(q.get(), hwtest.ENDS))
    hwtest.eq(got, [0, 1, 2, 3, 4])
    # The scheduler's slots keep produce (and q, and this task's frames through it)
    # until reused: with rp2's 8 slots, up to two runs' worth, ~3.5 KB each.
    await hwtest.flush_schedule()


def test_threadsafeflag_is_set():
    f = asyncio.ThreadSafeFlag()
    hwtest.eq(f.is_set(), False)
    f.set()
    hwtest.eq(f.is_set(), True)
    f.clear()
    hwtest.eq(f.is_set(), False)


async def test_threadsafeflag_wait_clears():
    f = asyncio.ThreadSafeFlag()
    f.set()
    await f.wait()
    hwtest.eq(f.is_set(), False, "wait() consumes the flag")


hwtest.main()

# Event with many waiters and repeated set/clear cycles: every waiter wakes
# exactly once per set, in FIFO order, and a re-waiting task doesn't starve
# the others (fairness). Runs on CPython too.
import asyncio
import hwtest
from hwtest import eq, true


async def test_hundred_waiters_all_wake_in_order():
    ev = asyncio.Event()
    woke = []

    async def waiter(i):
        await ev.wait()
        woke.append(i)

    tasks = [asyncio.create_task(waiter(i)) for i in range(100)]
    await asyncio.sleep(0)
    eq(woke, [], "nobody wakes before set")
    ev.set()
    await asyncio.sleep(0)
    eq(woke, list(range(100)))
    true(all(t.done() for t in tasks), "all finished")


async def test_rewaiting_task_does_not_starve_others():
    # Each waiter re-waits straight after waking; a second waiter must get
    # every round too, and rounds alternate fairly.
    ev = asyncio.Event()
    counts = {"a": 0, "b": 0}

    async def waiter(name):
        while True:
            await ev.wait()
            counts[name] += 1
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(waiter(n)) for n in "ab"]
    await asyncio.sleep(0)
    for _ in range(10):
        ev.set()
        await asyncio.sleep(0)
        ev.clear()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    for t in tasks:
        t.cancel()
    await asyncio.sleep(0)
    eq(counts, {"a": 10, "b": 10}, "wake-ups per waiter")


async def test_wait_with_timeout():
    ev = asyncio.Event()
    try:
        await asyncio.wait_for(ev.wait(), 0.02)
        raise AssertionError("wait returned without set")
    except asyncio.TimeoutError:
        pass
    # the timed-out waiter is gone: a later set/wait still works
    ev.set()
    eq(await asyncio.wait_for(ev.wait(), 0.02), True)


hwtest.main()

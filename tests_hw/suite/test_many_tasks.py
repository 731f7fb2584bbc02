# 10,000 tasks created and finished, and the heap back to its starting size
# afterwards (gc.mem_free() after gc.collect()). Tasks are made in batches so
# the peak stays small on a ~140 KB heap; kinds covered: awaited, detached,
# sleeping on the timer, failing (exception retrieved), cancelled.
#
# Tolerance: TOLERANCE bytes. The GC is conservative: a stale pointer left
# on the C stack or in a register can keep the last task or two (a Task plus
# its coroutine frame is a few hundred bytes) alive, and collecting can
# leave the free-block count shifted by a block. A real leak is at least one
# 16-byte block per task, 160 KB for 10,000 tasks, far beyond the tolerance.
import hwtest
from hwtest import eq, true

gc = hwtest.require("gc")
hwtest.require("gc.mem_free")  # MicroPython heap accounting
import asyncio  # noqa: E402  (imports follow the file's feature checks)

TOTAL = 10000
BATCH = 100
TOLERANCE = 2048


def heap_free():
    gc.collect()
    gc.collect()
    return gc.mem_free()


async def nothing():
    pass


async def napping():
    await asyncio.sleep_ms(1)


async def failing():
    raise ValueError


async def sleeping_forever():
    await asyncio.sleep(3600)


async def churn(total):
    made = 0
    ok = 0
    while made < total:
        kind = (made // BATCH) % 5
        tasks = [None] * BATCH
        i = 0
        while i < BATCH:
            coro = (nothing, napping, failing, sleeping_forever, nothing)[kind]()
            tasks[i] = asyncio.create_task(coro)
            i += 1
        if kind == 3:
            await asyncio.sleep_ms(0)
            for t in tasks:
                t.cancel()
        if kind == 4:  # detached: nobody awaits, they just finish
            await asyncio.sleep_ms(2)
        else:
            for t in tasks:
                try:
                    await t
                except (ValueError, asyncio.CancelledError):
                    pass
        for t in tasks:
            if t.done():
                ok += 1
        made += BATCH
        tasks = None
    return ok


def measure(total):
    asyncio.new_event_loop()
    before = heap_free()
    done = asyncio.run(churn(total))
    asyncio.new_event_loop()
    return done, before - heap_free()


def test_warm_up():
    # first use loads lazy modules and interns names: not a leak
    eq(measure(5 * BATCH)[0], 5 * BATCH, "tasks finished")


def test_ten_thousand_tasks_leave_no_garbage():
    done, grown = measure(TOTAL)
    eq(done, TOTAL, "tasks finished")
    true(grown <= TOLERANCE, "heap grew by %d bytes (tolerance %d)" % (grown, TOLERANCE))


hwtest.main()

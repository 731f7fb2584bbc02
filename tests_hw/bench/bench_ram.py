# asyncio RAM: heap taken by `import asyncio`, by the names a typical program
# loads on first use, and per task (created, sleeping, waiting on an Event).
# Must run in a fresh interpreter: asyncio is imported here, after the baseline.
#
# Run: micropython bench_ram.py [SCALE]
# Prints "BENCH <name> <bytes> <unit>"; per-task figures are heap deltas after
# gc.collect() divided by the number of tasks (the list holding them included).
import gc
import sys

SCALE = 1.0

_argv = getattr(sys, "argv", None) or []
if len(_argv) > 1:
    SCALE = float(_argv[1])

gc.collect()
_free_before_import = gc.mem_free()
import asyncio  # noqa: E402

gc.collect()
print("BENCH ram_import", _free_before_import - gc.mem_free(), "B")


def free():
    gc.collect()
    return gc.mem_free()


async def _sleep_long():
    await asyncio.sleep_ms(3_600_000)


async def _wait_on(ev):
    await ev.wait()


async def _nop():
    pass


async def _touch_common_api():
    # The calls most programs make; names that load lazily are loaded now.
    ev = asyncio.Event()
    lock = asyncio.Lock()
    t = asyncio.create_task(_wait_on(ev))
    await asyncio.sleep_ms(0)
    ev.set()
    async with lock:
        await asyncio.gather(t, _nop())
    await asyncio.wait_for(_nop(), 1)
    asyncio.ThreadSafeFlag()


async def per_task(count):
    ev = asyncio.Event()
    for label, coro in (("sleeping", _sleep_long), ("event_wait", lambda: _wait_on(ev))):
        base = free()
        tasks = [asyncio.create_task(coro()) for _ in range(count)]
        created = free()
        await asyncio.sleep_ms(0)  # every task runs up to its first suspension
        parked = free()
        if label == "sleeping":
            print("BENCH ram_task_created", (base - created) // count, "B/task")
        print("BENCH ram_task_" + label, (base - parked) // count, "B/task")
        for t in tasks:
            t.cancel()
        await asyncio.sleep_ms(0)
        del tasks


asyncio.run(_touch_common_api())
asyncio.new_event_loop()
print("BENCH ram_import_and_use", _free_before_import - free(), "B")
asyncio.run(per_task(max(10, int(200 * SCALE))))

# machine.Timer callbacks hand over to asyncio: a one-shot timer sets a
# ThreadSafeFlag a task waits on, and one deinit()ed first never does
# (periodic timers: test_machine_timer_periodic.py; lightsleep inside a
# task: test_machine_lightsleep.py). Ports without machine.Timer (unix, QEMU)
# or without its Timer(mode=, period=, callback=) form: SKIP.
import hwtest
from hwtest import eq, true

hwtest.require("machine.Timer")
hwtest.require("asyncio.ThreadSafeFlag")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import time  # noqa: E402  (imports follow the file's feature checks)


timer = hwtest.machine_timer


async def test_one_shot_sets_threadsafeflag():
    flag = asyncio.ThreadSafeFlag()
    start = time.ticks_ms()
    t = timer(30, lambda t: flag.set())
    try:
        await asyncio.wait_for(flag.wait(), 10)
    finally:
        t.deinit()
    true(time.ticks_diff(time.ticks_ms(), start) >= 30, "not before its period")
    await hwtest.flush_schedule()


async def test_deinit_before_it_fires():
    flag = asyncio.ThreadSafeFlag()
    t = timer(50, lambda t: flag.set())
    t.deinit()
    try:
        await asyncio.wait_for(flag.wait(), 0.3)
        fired = True
    except asyncio.TimeoutError:
        fired = False
    eq(fired, False, "a timer deinit()ed before its period never calls back")


hwtest.main()

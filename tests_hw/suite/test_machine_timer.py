# machine.Timer callbacks hand over to asyncio: a one-shot timer sets a
# ThreadSafeFlag a task waits on, a periodic one counts on while the loop runs
# other tasks and its last tick is relayed to an Event (lightsleep inside a
# task: test_machine_lightsleep.py). Ports without machine.Timer (unix, QEMU)
# or without its Timer(mode=, period=, callback=) form: SKIP.
import hwtest
from hwtest import eq, true

hwtest.require("machine.Timer")
hwtest.require("asyncio.ThreadSafeFlag")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import machine  # noqa: E402  (imports follow the file's feature checks)
import time  # noqa: E402  (imports follow the file's feature checks)


def timer(period, callback, periodic=False):
    mode = machine.Timer.PERIODIC if periodic else machine.Timer.ONE_SHOT
    for ident in ((), (-1,), (0,)):  # rp2 takes no id; esp32 wants a hardware one
        try:
            return machine.Timer(*ident, mode=mode, period=period, callback=callback)
        except (TypeError, ValueError):
            pass
    raise hwtest.Skip("machine.Timer has no Timer(mode=, period=, callback=) form here")


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


async def test_periodic_ticks_while_tasks_run_then_event():
    # Ten ticks 5 ms apart; the tenth wakes a relay task that sets an Event
    # two other tasks wait on, while a busy task keeps yielding meanwhile.
    flag = asyncio.ThreadSafeFlag()
    done = asyncio.Event()
    ticks = [0]
    rounds = [0]

    def tick(t):
        # (A tick already queued for the scheduler may still come after deinit().)
        if ticks[0] < 10:
            ticks[0] += 1
            if ticks[0] == 10:
                t.deinit()
                flag.set()

    async def busy():
        while not done.is_set():
            rounds[0] += 1
            await asyncio.sleep(0)

    async def relay():
        await flag.wait()
        done.set()

    async def waiter():
        await done.wait()
        return ticks[0]

    spinner = asyncio.create_task(busy())
    relayer = asyncio.create_task(relay())
    waiters = [asyncio.create_task(waiter()) for _ in range(2)]
    t = timer(5, tick, periodic=True)
    try:
        for w in waiters:
            eq(await asyncio.wait_for(w, 10), 10, "ticks when the Event was set")
        await relayer
        await spinner
    finally:
        t.deinit()
    true(rounds[0] > 0, "the loop ran other tasks while the timer ticked")
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

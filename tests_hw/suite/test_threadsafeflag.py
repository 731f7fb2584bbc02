# ThreadSafeFlag: starts clear, set before wait returns at once and clears
# the flag, clear(), wake-up from a micropython.schedule callback (the way an
# IRQ handler hands over), wait under wait_for, a single waiter.
import asyncio
import time
import hwtest
from hwtest import eq, true, araises

hwtest.require("asyncio.ThreadSafeFlag")  # MicroPython only


ENDS = hwtest.ENDS


async def waits_done(flag, timeout=ENDS):
    # True if flag.wait() returns within timeout
    try:
        await asyncio.wait_for(flag.wait(), timeout)
        return True
    except asyncio.TimeoutError:
        return False


async def test_starts_clear():
    eq(await waits_done(asyncio.ThreadSafeFlag(), 0.02), False)


async def test_set_before_wait_then_auto_clears():
    flag = asyncio.ThreadSafeFlag()
    flag.set()
    eq(await waits_done(flag), True, "returns at once when already set")
    eq(await waits_done(flag, 0.02), False, "wait() cleared it")


async def test_set_twice_is_one_wakeup():
    flag = asyncio.ThreadSafeFlag()
    flag.set()
    flag.set()
    eq(await waits_done(flag), True)
    eq(await waits_done(flag, 0.02), False, "a flag, not a counter")


async def test_clear():
    flag = asyncio.ThreadSafeFlag()
    flag.set()
    flag.clear()
    eq(await waits_done(flag, 0.02), False, "clear() before wait")


async def test_set_from_task_wakes_waiter():
    flag = asyncio.ThreadSafeFlag()
    woke = []

    async def waiter():
        await flag.wait()
        woke.append(1)

    t = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)
    eq(woke, [], "still waiting")
    flag.set()
    await asyncio.wait_for(t, ENDS)
    eq(woke, [1])


def _with_schedule():
    micropython = hwtest.require("micropython")
    if not hasattr(micropython, "schedule"):
        raise hwtest.Skip("no micropython.schedule")
    return micropython


async def test_set_from_scheduled_callback():
    micropython = _with_schedule()
    flag = asyncio.ThreadSafeFlag()
    calls = []

    def isr_like(arg):
        calls.append(arg)
        flag.set()

    async def trigger():
        await asyncio.sleep(0.02)
        micropython.schedule(isr_like, 7)

    asyncio.create_task(trigger())
    await asyncio.wait_for(flag.wait(), ENDS)
    eq(calls, [7])
    # repeated hand-overs, each one waking the waiter once
    for i in range(5):
        micropython.schedule(isr_like, i)
        await asyncio.wait_for(flag.wait(), ENDS)
    eq(calls, [7, 0, 1, 2, 3, 4])


async def test_flag_set_by_queued_callback_is_seen_at_once():
    # An IRQ handler queued a callback that sets the flag before the task
    # awaits: wait() runs it and returns without the task giving way (and
    # without waiting for the poller, which may look only every few ms).
    micropython = _with_schedule()
    flag = asyncio.ThreadSafeFlag()
    others = []

    async def other():
        others.append(1)

    asyncio.create_task(other())  # ready: runs whenever this task gives way
    micropython.schedule(lambda _: flag.set(), None)
    await flag.wait()
    eq(others, [], "the task gave way before seeing the flag")
    await asyncio.sleep(0)
    eq(others, [1])


async def test_timed_out_wait_leaves_flag_usable():
    flag = asyncio.ThreadSafeFlag()
    eq(await waits_done(flag, 0.01), False)
    flag.set()
    eq(await waits_done(flag), True, "works after a cancelled wait")


async def test_cancelled_waiter_then_new_waiter():
    flag = asyncio.ThreadSafeFlag()
    t = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    t.cancel()
    await araises(asyncio.CancelledError, t)
    t2 = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    flag.set()
    await asyncio.wait_for(t2, ENDS)
    true(t2.done(), "second waiter woke")


async def test_one_waiter_per_flag():
    flag = asyncio.ThreadSafeFlag()
    first = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    await araises(RuntimeError, flag.wait())
    flag.set()
    await asyncio.wait_for(first, ENDS)
    true(first.done(), "the first waiter still woke")


async def test_waiter_while_loop_busy_then_blocked():
    # A task waits on a flag while others run (the loop checks the flag
    # between steps) and while the loop blocks for a timer (the poller
    # watches it then); it wakes once, when a callback sets the flag.
    micropython = hwtest.require("micropython")
    flag = asyncio.ThreadSafeFlag()
    waiter = asyncio.create_task(flag.wait())
    for _ in range(50):
        await asyncio.sleep_ms(0)
    for _ in range(2):
        t0 = time.ticks_ms()
        await asyncio.sleep_ms(20)
        true(time.ticks_diff(time.ticks_ms(), t0) >= 20, "slept the whole 20 ms")
    eq(waiter.done(), False)
    if hasattr(micropython, "schedule"):
        micropython.schedule(lambda _: flag.set(), None)
    else:
        flag.set()
    await asyncio.wait_for(waiter, ENDS)
    eq(flag.is_set(), False, "the waiter cleared it")


async def test_flag_wakes_waiter_among_busy_tasks():
    # Tasks that are always runnable must not keep the loop from noticing
    # the flag: the waiter wakes within a round of them.
    flag = asyncio.ThreadSafeFlag()
    spins = [0]
    woke_at = []

    async def spinner():
        while True:
            spins[0] += 1
            await asyncio.sleep_ms(0)

    async def waiter():
        await flag.wait()
        woke_at.append(spins[0])

    spinners = [asyncio.create_task(spinner()) for _ in range(2)]
    w = asyncio.create_task(waiter())
    for _ in range(5):
        await asyncio.sleep_ms(0)
    start = spins[0]
    flag.set()
    await asyncio.wait_for(w, ENDS)
    for t in spinners:
        t.cancel()
    true(woke_at[0] - start <= 4, "woke %d spinner steps after set()" % (woke_at[0] - start))


async def test_subclass():
    # A subclass keeps set/wait/clear/is_set (the C flag is subclassable).
    class Doorbell(asyncio.ThreadSafeFlag):
        def ring(self):
            self.set()

    bell = Doorbell()
    eq(bell.is_set(), False)
    bell.ring()
    eq(bell.is_set(), True)
    eq(await waits_done(bell), True)
    eq(bell.is_set(), False, "wait() cleared it")
    t = asyncio.create_task(bell.wait())
    await asyncio.sleep_ms(5)
    eq(t.done(), False)
    bell.ring()
    await asyncio.wait_for(t, ENDS)


async def test_two_flags_ping_pong():
    # Each hand-off frees the poller's entry for one flag and registers the
    # other: many rounds in a row, no wake-up lost or doubled.
    ping, pong = asyncio.ThreadSafeFlag(), asyncio.ThreadSafeFlag()
    seen = []

    async def responder():
        while True:
            await ping.wait()
            seen.append(len(seen))
            pong.set()

    r = asyncio.create_task(responder())
    for _ in range(50):
        ping.set()
        await asyncio.wait_for(pong.wait(), ENDS)
    r.cancel()
    eq(seen, list(range(50)))


hwtest.main()

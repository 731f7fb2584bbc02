# MicroPython extras: Delay_ms is retriggerable (a trigger before expiry
# pushes the timeout back), can be shortened, stopped, triggered from a
# scheduler callback (as from an IRQ), runs a function or a coroutine, and
# an idle one holds no task. Its timeout Event has the tutorial's set(),
# clear() and wait(); deinit() is final.
import asyncio
import time
import hwtest

Delay_ms = hwtest.require("asyncio.Delay_ms")


async def test_fires_once_after_duration():
    fired = []
    d = Delay_ms(lambda: fired.append(time.ticks_ms()), duration=30)
    t0 = time.ticks_ms()
    d.trigger()
    hwtest.true(d.running(), "running after trigger")
    await asyncio.wait_for_ms(d.wait(), 500)
    hwtest.eq(len(fired), 1)
    el = time.ticks_diff(fired[0], t0)
    hwtest.true(25 <= el < 200, "fired after ~30 ms (%d)" % el)
    hwtest.eq(d.running(), False)
    hwtest.true(d._task is None, "no task once expired")


async def test_retrigger_extends():
    fired = []
    d = Delay_ms(lambda: fired.append(1), duration=40)
    t0 = time.ticks_ms()
    for _ in range(4):
        d.trigger()
        await asyncio.sleep_ms(20)
    hwtest.eq(fired, [], "kept alive by retriggering")
    await d.wait()
    el = time.ticks_diff(time.ticks_ms(), t0)
    hwtest.true(el >= 100, "expired 40 ms after the last trigger (%d)" % el)


async def test_shorten_and_stop():
    d = Delay_ms(duration=1000)
    d.trigger()
    await asyncio.sleep_ms(5)
    t0 = time.ticks_ms()
    d.trigger(20)
    await asyncio.wait_for_ms(d.wait(), 300)
    hwtest.true(time.ticks_diff(time.ticks_ms(), t0) < 200, "shortened")
    fired = []
    d.callback(lambda: fired.append(1))
    d.trigger(20)
    await asyncio.sleep_ms(5)
    d.stop()
    await asyncio.sleep_ms(40)
    hwtest.eq(fired, [], "stopped before expiry")
    hwtest.eq(d(), False)


async def test_trigger_from_scheduled_callback():
    micropython = hwtest.require("micropython")
    fired = []
    d = Delay_ms(lambda: fired.append(1), duration=20)
    micropython.schedule(lambda _: d.trigger(), None)
    await asyncio.sleep_ms(60)
    hwtest.eq(fired, [1])
    await hwtest.flush_schedule()


async def test_coroutine_callback_and_rvalue():
    ran = asyncio.Event()

    async def cb(n):
        ran.set()
        return n

    d = Delay_ms(cb, (7,), duration=10)
    d.trigger()
    await asyncio.wait_for_ms(ran.wait(), 300)
    hwtest.eq(await d.rvalue(), 7, "rvalue is the callback's task")


async def _is_set_soon(d, ms):
    try:
        await asyncio.wait_for_ms(d.wait(), ms)
        return True
    except asyncio.TimeoutError:
        return False


async def test_event_clear_set_and_stop():
    # The timeout Event as the tutorial's EButton consumes it: await wait(),
    # then clear(); stop() clears it too; set() fakes a timeout.
    d = Delay_ms(duration=10)
    d.trigger()
    hwtest.true(await _is_set_soon(d, 300), "timed out")
    hwtest.true(await _is_set_soon(d, 20), "stays set until cleared")
    d.clear()
    hwtest.eq(await _is_set_soon(d, 30), False, "cleared")
    d.set()
    hwtest.true(await _is_set_soon(d, 20), "set() wakes waiters")
    d.trigger()
    await asyncio.sleep_ms(0)
    hwtest.true(await _is_set_soon(d, 1), "a retrigger leaves it set, as the tutorial's")
    d.stop()
    hwtest.eq(await _is_set_soon(d, 30), False, "stop() clears it")


async def test_retrigger_forgets_rvalue_and_deinit_refuses():
    d = Delay_ms(lambda: 5, duration=10)
    d.trigger()
    await asyncio.wait_for_ms(d.wait(), 300)
    hwtest.eq(d.rvalue(), 5)
    d.trigger(1000)
    hwtest.eq(d.rvalue(), None, "a new countdown has no outcome yet")
    d.deinit()
    hwtest.eq(d.running(), False)
    e = hwtest.raises(RuntimeError, d.trigger)
    hwtest.true("deinit" in str(e), "says why: %s" % e)


def test_trigger_allocates_nothing():
    micropython = hwtest.require("micropython")
    fired = []
    d = Delay_ms(lambda: fired.append(1), duration=10)
    d.trigger()  # now queued for the kick service
    micropython.heap_lock()
    try:
        for _ in range(5):
            d.trigger()
    finally:
        micropython.heap_unlock()
    d.stop()
    # The kick service runs with the loop: a stopped Delay_ms stays quiet.
    asyncio.run(asyncio.sleep_ms(30))
    hwtest.eq(fired, [], "stopped before the loop ran")
    hwtest.eq(d(), False)


hwtest.main()

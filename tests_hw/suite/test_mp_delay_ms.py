# MicroPython extras: Delay_ms is retriggerable (a trigger before expiry
# pushes the timeout back), can be shortened, stopped, triggered from a
# scheduler callback (as from an IRQ), runs a function or a coroutine, and
# an idle one holds no task. Its timeout Event has the tutorial's set(),
# clear() and wait(); deinit() is final.
# Runs on the test clock (hwtest.run_timed: 1 ms per scheduler round), so
# the durations below are exact however loaded the machine; a core without
# set_clock() skips.
import asyncio
import hwtest
from hwtest import eq, true

Delay_ms = hwtest.require("asyncio.Delay_ms")


def on_clock(body):
    # test_x = on_clock(async def body(clock))
    return lambda: hwtest.run_timed(body)


@on_clock
async def test_fires_once_after_duration(clock):
    fired = []
    d = Delay_ms(lambda: fired.append(clock.elapsed), duration=30)
    t0 = clock.elapsed
    d.trigger()
    true(d.running(), "running after trigger")
    await asyncio.wait_for_ms(d.wait(), 500)
    eq(len(fired), 1)
    el = fired[0] - t0
    true(30 <= el <= 35, "fired 30 ms after the trigger (%d)" % el)
    eq(d.running(), False)
    true(d._task is None, "no task once expired")


@on_clock
async def test_retrigger_extends(clock):
    fired = []
    d = Delay_ms(lambda: fired.append(1), duration=40)
    t0 = clock.elapsed
    for _ in range(4):
        d.trigger()
        await asyncio.sleep_ms(20)
    eq(fired, [], "kept alive by retriggering")
    await d.wait()
    el = clock.elapsed - t0
    true(100 <= el <= 105, "expired 40 ms after the last trigger (%d)" % el)


@on_clock
async def test_shorten_and_stop(clock):
    d = Delay_ms(duration=1000)
    d.trigger()
    await asyncio.sleep_ms(5)
    t0 = clock.elapsed
    d.trigger(20)
    await asyncio.wait_for_ms(d.wait(), 300)
    el = clock.elapsed - t0
    true(20 <= el <= 25, "shortened to 20 ms (%d)" % el)
    fired = []
    d.callback(lambda: fired.append(1))
    d.trigger(20)
    await asyncio.sleep_ms(5)
    d.stop()
    await asyncio.sleep_ms(40)
    eq(fired, [], "stopped before expiry")
    eq(d(), False)


@on_clock
async def test_trigger_from_scheduled_callback(clock):
    micropython = hwtest.require("micropython")
    fired = []
    d = Delay_ms(lambda: fired.append(clock.elapsed), duration=20)
    micropython.schedule(lambda _: d.trigger(), None)
    await asyncio.sleep_ms(60)
    eq(len(fired), 1, "fired once")
    true(20 <= fired[0] <= 25, "20 ms after the callback (%d)" % fired[0])
    await hwtest.flush_schedule()


@on_clock
async def test_coroutine_callback_and_rvalue(clock):
    ran = asyncio.Event()

    async def cb(n):
        ran.set()
        return n

    d = Delay_ms(cb, (7,), duration=10)
    d.trigger()
    await asyncio.wait_for_ms(ran.wait(), 300)
    eq(await d.rvalue(), 7, "rvalue is the callback's task")


async def _is_set_soon(d, ms):
    try:
        await asyncio.wait_for_ms(d.wait(), ms)
        return True
    except asyncio.TimeoutError:
        return False


@on_clock
async def test_event_clear_set_and_stop(clock):
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


@on_clock
async def test_retrigger_forgets_rvalue_and_deinit_refuses(clock):
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

# Ticks wrap-around. ticks_ms() wraps every TICKS_PERIOD ms (2**30 on most
# ports, ~12 days), far too long to wait for, so:
#  1. assert the ticks arithmetic that deadline ordering relies on, at and
#     around the wrap point (time.ticks_add(0, -1) is the last tick);
#  2. run real sleepers across the wrap on a test clock that starts 30 ms
#     before the wrap and moves 1 ms per scheduler round (hwtest.run_timed):
#     the core (C or Python) takes it through its set_clock(), the package's
#     other modules read time.ticks_ms through module globals, which are
#     swapped. Wake order and times are exact, whatever the load. A core
#     without set_clock() (stock upstream) skips this part, saying why.
import hwtest
from hwtest import eq, true

time = hwtest.require("time")
hwtest.require("time.ticks_add")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

PERIOD = time.ticks_add(0, -1) + 1
HALF = PERIOD // 2


def test_period_is_a_power_of_two():
    true(PERIOD > 1 << 16, "period %d is large" % PERIOD)
    eq(PERIOD & (PERIOD - 1), 0, "period is a power of two")
    eq(time.ticks_add(PERIOD - 1, 1), 0, "the last tick wraps to 0")


def test_diff_of_add_round_trips_across_wrap():
    for base in (PERIOD - 1, PERIOD - 7, 0, 3, HALF - 1, HALF):
        for delta in (0, 1, 10, 1000, HALF - 1, -1, -10, -(HALF - 1)):
            t = time.ticks_add(base, delta)
            true(0 <= t < PERIOD, "ticks_add stays in range")
            eq(time.ticks_diff(t, base), delta, "diff(add(%d, %d))" % (base, delta))


def test_deadline_order_across_wrap():
    # deadlines 5 ms apart straddling the wrap; sorting by ticks_diff against
    # "now" must give time order even though raw values go 0.. after PERIOD-1
    now = time.ticks_add(0, -20)
    deadlines = [time.ticks_add(now, d) for d in (40, 5, 25, 15, 35)]
    in_order = sorted(deadlines, key=lambda t: time.ticks_diff(t, now))
    eq([time.ticks_diff(t, now) for t in in_order], [5, 15, 25, 35, 40])
    true(min(deadlines) != in_order[0], "raw comparison would get it wrong")


def test_loop_runs_across_wrap():
    async def main(clock):
        woke = []

        async def sleeper(ms):
            start = clock.elapsed
            await asyncio.sleep_ms(ms)
            woke.append((ms, clock.elapsed - start))

        for ms in (60, 10, 40, 20, 50):
            asyncio.create_task(sleeper(ms))
        await asyncio.sleep_ms(100)
        now = clock()
        true(now < PERIOD - 30, "the clock really wrapped (now %d)" % now)
        return woke

    woke = hwtest.run_timed(main, start=PERIOD - 30)
    eq([ms for ms, _ in woke], [10, 20, 40, 50, 60], "wake order")
    for ms, took in woke:
        true(ms <= took <= ms + 1, "sleep_ms(%d) took %d ms" % (ms, took))


hwtest.main()

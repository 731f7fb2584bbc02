# Delays longer than one timer reaches (the package sets none beyond a
# quarter of the ticks period: about 3.1 days on ports with 31-bit small
# ints) and infinite ones, as CPython takes
# them: sleep(), sleep(t, result) and wait_for() over several ticks periods,
# sleep(inf) as "forever", wait_for(aw, inf) as no timeout.
# Runs on a hand-driven clock (hwtest.run_on_clock) that jumps a 64th of the
# ticks period per step, so weeks pass in a few hundred steps; a core
# without set_clock() (stock) skips, saying why.
import hwtest
from hwtest import eq, true, araises

time = hwtest.require("time")
hwtest.require("time.ticks_add")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

PERIOD = time.ticks_add(0, -1) + 1
JUMP = PERIOD // 64
# Several ticks periods, in whole seconds (exact: no float rounding).
LONG_S = (7 * PERIOD // 2) // 1000
LONG_MS = LONG_S * 1000
# A long delay is slept in steps of up to a quarter period, each of which
# may end up to one jump late on this clock.
LATE_MS = (LONG_MS // (PERIOD // 4) + 2) * JUMP


class Clock:
    def __init__(self):
        self.ticks = time.ticks_ms()
        self.elapsed = 0

    def __call__(self):
        return self.ticks

    async def run_until(self, ms):
        # Only this task is ever ready: every step the scheduler sees the
        # new time and wakes whatever is due.
        while self.elapsed < ms:
            self.elapsed += JUMP
            self.ticks = time.ticks_add(self.ticks, JUMP)
            await asyncio.sleep_ms(0)


def on_clock(make_main):
    clock = Clock()
    return hwtest.run_on_clock(clock, lambda: asyncio.run(make_main(clock)))


def in_window(at, due, what):
    true(at is not None, "%s: never finished" % what)
    true(due <= at <= due + LATE_MS, "%s: finished at %d ms, due %d ms" % (what, at, due))


def test_sleep_over_several_ticks_periods():
    async def main(clock):
        done = {}

        async def sleeper(name, aw):
            got = await aw
            done[name] = (clock.elapsed, got)

        asyncio.create_task(sleeper("plain", asyncio.sleep(LONG_S)))
        asyncio.create_task(sleeper("result", asyncio.sleep(LONG_S // 2, "r")))
        await clock.run_until(LONG_MS + LATE_MS)
        return done

    done = on_clock(main)
    in_window(done["plain"][0], LONG_MS, "sleep(%d s)" % LONG_S)
    in_window(done["result"][0], LONG_S // 2 * 1000, "sleep(%d s, result)" % (LONG_S // 2))
    eq(done["result"][1], "r", "sleep(t, result) returns result")


def test_wait_for_over_several_ticks_periods():
    async def main(clock):
        out = {}

        async def value_at(s):
            await asyncio.sleep(s)
            return "v"

        async def times_out():
            await araises(
                asyncio.TimeoutError, asyncio.wait_for(asyncio.sleep(2 * LONG_S), LONG_S)
            )
            out["timeout"] = clock.elapsed

        async def finishes_first():
            out["coro"] = (await asyncio.wait_for(value_at(LONG_S // 2), LONG_S), clock.elapsed)

        async def task_first():
            t = asyncio.create_task(value_at(LONG_S // 4))
            out["task"] = (await asyncio.wait_for(t, LONG_S), clock.elapsed)

        for f in (times_out, finishes_first, task_first):
            asyncio.create_task(f())
        await clock.run_until(LONG_MS + LATE_MS)
        return out

    out = on_clock(main)
    in_window(out.get("timeout"), LONG_MS, "wait_for timing out")
    eq(out["coro"][0], "v")
    in_window(out["coro"][1], LONG_S // 2 * 1000, "wait_for on a coroutine that finishes first")
    eq(out["task"][0], "v")
    in_window(out["task"][1], LONG_S // 4 * 1000, "wait_for on a task that finishes first")


def test_timeout_and_call_later_over_several_ticks_periods():
    if not hasattr(asyncio, "timeout"):
        raise hwtest.Skip("no asyncio.timeout() / loop.call_later() in this image")

    async def main(clock):
        out = {}

        async def in_timeout():
            try:
                async with asyncio.timeout(LONG_S):
                    await asyncio.sleep(2 * LONG_S)
            except asyncio.TimeoutError:
                out["timeout"] = clock.elapsed

        asyncio.create_task(in_timeout())
        asyncio.get_event_loop().call_later(
            LONG_S // 2, lambda: out.setdefault("call_later", clock.elapsed)
        )
        await clock.run_until(LONG_MS + LATE_MS)
        return out

    out = on_clock(main)
    in_window(out.get("timeout"), LONG_MS, "asyncio.timeout(%d s)" % LONG_S)
    in_window(out.get("call_later"), LONG_S // 2 * 1000, "call_later(%d s)" % (LONG_S // 2))


def test_infinite_delays():
    inf = float("inf")

    async def main(clock):
        forever = asyncio.create_task(asyncio.sleep(inf))
        no_timeout = asyncio.create_task(asyncio.wait_for(asyncio.sleep(LONG_S), inf))
        await clock.run_until(2 * LONG_MS)
        still = forever.done()
        forever.cancel()
        await asyncio.sleep_ms(0)
        return still, forever.cancelled(), no_timeout.done() and no_timeout.result()

    still, cancelled, finished = on_clock(main)
    true(not still, "sleep(inf) still sleeping after %d ms" % (2 * LONG_MS))
    true(cancelled, "sleep(inf) can be cancelled")
    true(finished is None, "wait_for(sleep, inf) never timed out: %r" % (finished,))


async def test_sleep_nan_is_refused():
    # As CPython 3.13 does (3.11 and 3.12 sleep forever): a ValueError when
    # awaited, with or without a result to give back. (Issue 15.)
    nan = float("nan")
    await araises(ValueError, asyncio.sleep(nan))
    await araises(ValueError, asyncio.sleep(nan, "result"))
    eq(await asyncio.sleep(0, "after"), "after", "the loop goes on")


hwtest.main()

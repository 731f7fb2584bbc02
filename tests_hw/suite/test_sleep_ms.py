# sleep_ms() and the timing side of sleep(): elapsed time is at least what was
# asked for, ordering holds for ms values, and bad arguments raise clear errors
# (issue 3, lead's decision: a negative duration clamps to 0 as in CPython and
# upstream, since real code computes deadlines that go negative; a non-number
# raises TypeError).
# Lower bounds are checked on the real clock (load only makes sleeps
# longer); order, ties and upper bounds on the test clock (hwtest.run_timed,
# 1 ms per scheduler round), where load can't move a deadline past another.
import asyncio
import hwtest
from hwtest import eq, true, araises

hwtest.require("time.ticks_ms")  # CPython has no ticks: sleep_ms is a MicroPython extension
import time  # noqa: E402  (imports follow the file's feature checks)


def elapsed_ms(start):
    return time.ticks_diff(time.ticks_ms(), start)


async def test_sleep_ms_waits_at_least():
    for ms in (1, 20, 50):
        start = time.ticks_ms()
        eq(await asyncio.sleep_ms(ms), None, "sleep_ms result")
        true(elapsed_ms(start) >= ms, "slept %d ms for sleep_ms(%d)" % (elapsed_ms(start), ms))


async def test_sleep_float_seconds_waits_at_least():
    start = time.ticks_ms()
    await asyncio.sleep(0.05)
    true(elapsed_ms(start) >= 50, "sleep(0.05) took %d ms" % elapsed_ms(start))
    start = time.ticks_ms()
    await asyncio.sleep(0.001)
    true(elapsed_ms(start) >= 1, "sleep(0.001) is not rounded down to 0")


def test_sleep_ms_order():
    async def main(clock):
        woke = []

        async def sleeper(ms):
            start = clock.elapsed
            await asyncio.sleep_ms(ms)
            woke.append((ms, clock.elapsed - start))

        for ms in (90, 30, 60, 0):
            asyncio.create_task(sleeper(ms))
        await asyncio.sleep_ms(150)
        return woke

    woke = hwtest.run_timed(main)
    eq([ms for ms, _ in woke], [0, 30, 60, 90])
    for ms, took in woke:
        true(ms <= took <= ms + 1, "sleep_ms(%d) took %d ms" % (ms, took))


async def test_sleep_ms_zero_is_round_robin():
    log = []

    async def spin(name):
        for _ in range(3):
            log.append(name)
            await asyncio.sleep_ms(0)

    await asyncio.gather(spin("a"), spin("b"))
    eq("".join(log), "ababab")


def test_same_deadline_keeps_creation_order():
    # sleepers created in one go with the same delay wake in creation order
    # (a tie must not reorder them; helps fairness). On the test clock they
    # all sleep in the same ms: a real tie.
    async def main(clock):
        woke = []

        async def sleeper(n):
            await asyncio.sleep_ms(30)
            woke.append((n, clock.elapsed))

        for n in range(5):
            asyncio.create_task(sleeper(n))
        await asyncio.sleep_ms(80)
        return woke

    woke = hwtest.run_timed(main)
    eq([n for n, _ in woke], [0, 1, 2, 3, 4])
    eq(len(set(at for _, at in woke)), 1, "all woke in the same ms: %r" % woke)


async def sleep_ms_of(value):
    await asyncio.sleep_ms(value)


async def sleep_of(value):
    await asyncio.sleep(value)


def test_negative_clamps_to_zero():
    # sleeps about 0 ms (not |ms|), and still yields: another task gets a turn
    async def main(clock):
        ran = []

        async def other():
            ran.append(1)

        # (labels, not call.__name__: MicroPython's builtin functions have none)
        for name, value in (("sleep_ms", -1), ("sleep_ms", -1000), ("sleep", -0.5), ("sleep", -1)):
            call = getattr(asyncio, name)
            del ran[:]
            asyncio.create_task(other())
            start = clock.elapsed
            eq(await call(value), None, "result of a negative sleep")
            took = clock.elapsed - start
            true(took <= 2, "%s(%r) took %d ms (a round or two)" % (name, value, took))
            eq(ran, [1], "%s(%r) let another task run" % (name, value))

    hwtest.run_timed(main)


async def test_non_number_is_type_error():
    for bad in ("10", None, [1]):
        await araises(TypeError, sleep_ms_of(bad))
        await araises(TypeError, sleep_of(bad))


async def test_bad_arg_leaves_scheduler_usable():
    await sleep_ms_of(-5)
    await araises(TypeError, sleep_ms_of("x"))
    # the next sleeps still work and still wait
    start = time.ticks_ms()
    await asyncio.sleep_ms(10)
    await asyncio.sleep(0.01)
    true(elapsed_ms(start) >= 20, "sleeps after an error still wait")


hwtest.main()

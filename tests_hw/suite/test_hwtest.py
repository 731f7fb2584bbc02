# The harness itself: run hwtest.run() on a fake module namespace and check
# what it reports, so a broken harness can't turn failures into passes.
import hwtest
from hwtest import eq, true, raises


def fake_module():
    def test_passes():
        pass

    def test_fails():
        hwtest.eq(1, 2, "one")

    def test_crashes():
        raise OSError("disk")

    async def test_async_passes():
        import asyncio

        await asyncio.sleep(0)

    async def test_async_fails():
        import asyncio

        await asyncio.sleep(0)
        raise ValueError("late")

    def test_skips():
        raise hwtest.Skip("no widget")

    def helper_not_a_test():
        raise RuntimeError("must not run")

    return {
        "test_passes": test_passes,
        "test_fails": test_fails,
        "test_crashes": test_crashes,
        "test_async_passes": test_async_passes,
        "test_async_fails": test_async_fails,
        "test_skips": test_skips,
        "helper_not_a_test": helper_not_a_test,
        "test_not_callable": 5,
    }


def run_fake(ns):
    lines = []
    counts = hwtest.run(ns, lines.append)
    return counts, lines


def test_failures_are_reported():
    counts, lines = run_fake(fake_module())
    # no __file__ in the namespace: tests run in name order
    eq(
        lines,
        [
            "FAIL test_async_fails: ValueError: late",
            "ok test_async_passes",
            "FAIL test_crashes: OSError: disk",
            "FAIL test_fails: AssertionError: one: got 1, want 2",
            "ok test_passes",
            "skip test_skips: no widget",
        ],
        "report",
    )
    eq(counts, (2, 3), "counts")


def test_cancelled_error_is_a_failure_not_a_crash():
    import asyncio

    async def test_leaks_cancel():
        await asyncio.sleep(0)
        raise asyncio.CancelledError

    counts, lines = run_fake({"test_leaks_cancel": test_leaks_cancel})
    eq(counts, (0, 1), "counts")
    true(
        lines[0].startswith("FAIL test_leaks_cancel: CancelledError"),
        "reported as FAIL: %r" % lines,
    )


def test_system_exit_propagates():
    def test_exits():
        raise SystemExit

    raises(SystemExit, hwtest.run, {"test_exits": test_exits}, [].append)


def test_eq():
    eq(3, 3)
    e = raises(AssertionError, eq, [1], [2], "list")
    eq(str(e), "list: got [1], want [2]")


def test_true():
    true(1)
    e = raises(AssertionError, true, 0, "zero")
    eq(str(e), "zero is false")


def test_raises():
    e = raises(ValueError, int, "x")
    true(isinstance(e, ValueError), "returns the exception")
    e = raises(AssertionError, raises, ValueError, int, "5")
    eq(str(e), "ValueError not raised")
    e = raises(AssertionError, raises, KeyError, int, "x")
    true(str(e).startswith("want KeyError, got ValueError"), "wrong type named: " + str(e))
    e = raises(AssertionError, raises, (KeyError, IndexError), int, "5")
    eq(str(e), "KeyError/IndexError not raised")
    raises((KeyError, ValueError), int, "x")
    # keyword arguments are passed through
    eq(type(raises(TypeError, sorted, [1, "a"], reverse=True)), TypeError)


def test_araises():
    import asyncio

    async def boom():
        raise OSError(5)

    async def fine():
        return 1

    async def main():
        e = await hwtest.araises(OSError, boom())
        eq(e.args[0], 5)
        e = await hwtest.araises(AssertionError, hwtest.araises(OSError, fine()))
        eq(str(e), "OSError not raised")

    asyncio.run(main())


def test_require():
    import sys

    true(hwtest.require("sys") is sys, "returns the module")
    eq(hwtest.require("sys.implementation.name"), sys.implementation.name)
    # A missing feature prints SKIP and stops: capture print inside hwtest.
    printed = []
    hwtest.print = printed.append
    try:
        raises(SystemExit, hwtest.require, "no_such_module_xyz")
        raises(SystemExit, hwtest.require, "sys.no_such_attribute_xyz")
    finally:
        del hwtest.print
    eq(printed, ["SKIP", "SKIP"])


def test_run_timed_moves_the_clock_by_rounds():
    import asyncio

    async def main(clock):
        t0 = clock.elapsed
        await asyncio.sleep_ms(30)
        slept = clock.elapsed - t0
        t0 = clock.elapsed
        for _ in range(5):
            await asyncio.sleep_ms(0)
        return slept, clock.elapsed - t0

    slept, yields = hwtest.run_timed(main)  # (Skip on CPython and stock)
    true(30 <= slept <= 31, "sleep_ms(30) took %d ms of the test clock" % slept)
    eq(yields, 5, "ms of the test clock for 5 yields")


def test_the_test_clock_reaches_every_reader():
    # The package reads time only through its core, so the clock set there
    # is what loop.time() sees too (it moves 2.5 s when the clock does).
    import asyncio

    clock = hwtest.Clock(start=1000)

    async def main():
        loop = asyncio.get_event_loop()
        if not hasattr(loop, "time"):
            raise hwtest.Skip("no loop.time() in this image")
        before = loop.time()
        clock.advance(2500)
        return loop.time() - before

    eq(
        hwtest.run_on_clock(clock, lambda: asyncio.run(main())),
        2.5,
        "loop.time() on the test clock",
    )


def test_definition_order_from_source():
    # Order comes from the source file when there is one (not over a REPL).
    # MicroPython >= 1.26 sets __file__ to "<stdin>" for code sent over the REPL.
    try:
        open(__file__).close()
    except Exception:
        raise hwtest.Skip("no readable source file")  # noqa: B904  (MicroPython code: no exception chaining)
    ns = dict(globals())
    ns["test_zz_added_later"] = test_eq  # not in the source: goes last
    eq(
        hwtest._in_definition_order(ns),
        [
            "test_failures_are_reported",
            "test_cancelled_error_is_a_failure_not_a_crash",
            "test_system_exit_propagates",
            "test_eq",
            "test_true",
            "test_raises",
            "test_araises",
            "test_require",
            "test_run_timed_moves_the_clock_by_rounds",
            "test_the_test_clock_reaches_every_reader",
            "test_definition_order_from_source",
            "test_zz_added_later",
        ],
        "order",
    )


hwtest.main()

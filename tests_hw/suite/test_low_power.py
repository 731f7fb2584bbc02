# asyncio.low_power() (a MicroPython extra): with it on, an idle loop whose
# next timer is at least min_ms away, with no stream or ThreadSafeFlag
# waited on, calls the hook instead of time.sleep_ms(). On the test clock
# the hook "sleeps" by moving the clock, so the timings are exact: ten
# sleep(1) are ten hook(1000) calls and 10 s, a hook that wakes early is
# called again for the rest (timers never fire early).
import asyncio

import hwtest


def _need():
    if not hasattr(asyncio, "low_power"):
        raise hwtest.Skip("a MicroPython extra")


def _on_clock(main, hook_ms):
    # Runs main() with low_power(hook) on a clock only the hook moves; the
    # hook advances it by hook_ms(ms) and logs each call.
    clock = hwtest.Clock(0)
    calls = []

    def hook(ms):
        calls.append(ms)
        clock.advance(hook_ms(ms))

    asyncio.low_power(True, min_ms=20, hook=hook)
    try:
        result = hwtest.run_on_clock(clock, lambda: asyncio.run(main(clock)))
    finally:
        asyncio.low_power(False)
    return calls, clock, result


def test_ten_seconds_in_one_second_steps_are_ten_hook_calls():
    _need()

    async def main(clock):
        woke = []
        for _ in range(10):
            await asyncio.sleep(1)
            woke.append(clock.elapsed)
        return woke

    calls, clock, woke = _on_clock(main, lambda ms: ms)
    hwtest.eq(calls, [1000] * 10)
    hwtest.eq(woke, [1000 * (i + 1) for i in range(10)], "each on time")


def test_a_hook_that_wakes_early_is_called_for_the_rest():
    _need()

    async def main(clock):
        await asyncio.sleep_ms(1000)
        return clock.elapsed

    # an interrupt cuts every sleep to 400 ms at most
    calls, clock, woke = _on_clock(main, lambda ms: min(ms, 400))
    hwtest.eq(calls, [1000, 600, 200])
    hwtest.eq(woke, 1000, "not early")


def test_below_the_threshold_the_loop_sleeps_as_before():
    _need()
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("our kernel")
    calls = []
    asyncio.low_power(True, min_ms=20, hook=calls.append)
    try:
        asyncio._kernel._block_ms(5)  # time.sleep_ms(5)
        asyncio._kernel._block_ms(20)
    finally:
        asyncio.low_power(False)
    hwtest.eq(calls, [20])
    hwtest.raises(ValueError, asyncio.low_power, True, 0)
    hwtest.raises(TypeError, asyncio.low_power, True, 20, 5)


def test_no_hook_while_a_flag_is_waited_on():
    _need()
    calls = []
    asyncio.low_power(True, min_ms=1, hook=calls.append)
    try:

        async def main():
            flag = asyncio.ThreadSafeFlag()

            async def waiter():
                await flag.wait()

            w = asyncio.create_task(waiter())
            await asyncio.sleep_ms(30)  # the loop polls the flag meanwhile
            flag.set()
            await w

        asyncio.new_event_loop()
        asyncio.run(main())
    finally:
        asyncio.low_power(False)
    hwtest.eq(calls, [], "polled, not slept")


hwtest.main()

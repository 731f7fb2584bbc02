# wait_for / wait_for_ms: result without timeout, timeout cancels the task,
# timeout=None, existing tasks, exceptions pass through, tasks that ignore
# cancellation, and bad timeouts. Runs on CPython too (ms parts skip there).
import asyncio
import hwtest
from hwtest import eq, true, araises


async def after(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def test_result_before_timeout():
    eq(await asyncio.wait_for(after(0.01, "fast"), hwtest.ENDS), "fast")
    eq(await asyncio.wait_for(after(0, "now"), hwtest.ENDS), "now")


async def test_timeout_cancels_and_raises():
    log = []

    async def slow():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("cancelled")
            raise

    await araises(asyncio.TimeoutError, asyncio.wait_for(slow(), 0.02))
    eq(log, ["cancelled"], "the timed-out coroutine was cancelled before wait_for returned")


async def test_timeout_error_is_an_exception():
    # TimeoutError must be catchable with `except Exception` (CancelledError isn't)
    true(issubclass(asyncio.TimeoutError, Exception), "TimeoutError subclasses Exception")
    true(not issubclass(asyncio.CancelledError, Exception), "CancelledError doesn't")


async def test_timeout_none_waits_forever():
    eq(await asyncio.wait_for(after(0.05, "late"), None), "late")


async def test_existing_task():
    t = asyncio.create_task(after(0.01, "task"))
    eq(await asyncio.wait_for(t, hwtest.ENDS), "task")
    slow = asyncio.create_task(after(10, "never"))
    await araises(asyncio.TimeoutError, asyncio.wait_for(slow, 0.01))
    await asyncio.sleep(0)
    eq(slow.done(), True, "the existing task was cancelled too")
    await araises(asyncio.CancelledError, slow)


async def test_finished_task():
    t = asyncio.create_task(after(0, "done"))
    await t
    eq(await asyncio.wait_for(t, 0.01), "done")


async def test_exception_passes_through():
    async def fail():
        await asyncio.sleep(0.01)
        raise KeyError("inner")

    e = await araises(KeyError, asyncio.wait_for(fail(), 1))
    eq(e.args, ("inner",))


async def test_task_that_ignores_cancellation():
    log = []

    async def stubborn():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("ignored")
        await asyncio.sleep(0.02)  # keeps going after the cancel
        log.append("finished")
        return "value"

    try:
        result = await asyncio.wait_for(stubborn(), 0.02)
    except asyncio.TimeoutError:
        result = "timeout"
    # wait_for must not return before the task has really finished.
    eq(log, ["ignored", "finished"])
    # MicroPython documents TimeoutError; CPython 3.11 hands back the value.
    eq(result, "timeout" if hwtest.MICROPYTHON else "value")


async def test_wait_for_is_reusable_in_a_loop():
    # many short wait_for calls must not leave timers or tasks behind
    for i in range(20):
        eq(await asyncio.wait_for(after(0, i), hwtest.ENDS), i)
    for _ in range(5):
        await araises(asyncio.TimeoutError, asyncio.wait_for(after(1, 0), 0.001))


async def test_awaiting_one_wait_for_twice_raises():
    # as awaiting one coroutine twice does in CPython; not a silent None
    aw = asyncio.wait_for(after(0, "once"), hwtest.ENDS)
    eq(await aw, "once")
    await araises(RuntimeError, aw)


async def test_wait_for_ms():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("MicroPython extension")
    eq(await asyncio.wait_for_ms(after(0.01, "ms"), 500), "ms")
    await araises(asyncio.TimeoutError, asyncio.wait_for_ms(after(10, 0), 20))
    eq(await asyncio.wait_for_ms(after(0.01, "none"), None), "none")


async def test_bad_timeouts():
    # issue 3: negative -> ValueError, non-number -> TypeError (CPython
    # treats a negative timeout as "already expired"; stock clamps it).
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("MicroPython contract")

    async def wait(call, aw, timeout):  # the error may come at call or at await
        return await call(aw, timeout)

    for call in (asyncio.wait_for, asyncio.wait_for_ms):
        for bad, exc in ((-1, ValueError), ("1", TypeError), ([], TypeError)):
            t = asyncio.create_task(after(0.01, 0))
            await araises(exc, wait(call, t, bad))
            eq(await t, 0, "the awaitable itself is left alone")


hwtest.main()

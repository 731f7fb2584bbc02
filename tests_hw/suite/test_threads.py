# requires: threads
# to_thread() and loop.run_in_executor(None, ...): a blocking function runs
# in a thread of its own while the loop goes on; its result or exception
# reaches the awaiter; cancelling the awaiter leaves the thread to finish.
# Needs _thread (unix, ESP32, RP2040; not QEMU or PYBV11: SKIP). Runs on
# CPython too.
import hwtest
from hwtest import eq, araises

hwtest.require("_thread")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

hwtest.require("asyncio.to_thread")
import time  # noqa: E402  (imports follow the file's feature checks)


def blocking(seconds, value):
    time.sleep(seconds)
    return value


async def test_result_while_the_loop_runs():
    # The blocking call returns only once the loop has ticked 3 times
    # meanwhile, which a loop blocked by it never does (counting ticks in a
    # 100 ms window instead depended on load).
    t, ticks = hwtest.ticker(0.005)

    def until_the_loop_ticks():
        start = ticks[0]
        for _ in range(2000):  # 10 s at most
            if ticks[0] - start >= 3:
                return "v"
            time.sleep(0.005)
        return "the loop did not run: %d ticks" % (ticks[0] - start)

    eq(await asyncio.to_thread(until_the_loop_ticks), "v")
    t.cancel()


async def test_arguments_and_keywords():
    eq(await asyncio.to_thread(lambda a, b=0: a + b, 1, b=2), 3)


async def test_exception_reaches_the_awaiter():
    def boom():
        raise ValueError("from the thread")

    e = await araises(ValueError, asyncio.to_thread(boom))
    eq(str(e), "from the thread")


async def test_run_in_executor():
    loop = asyncio.get_event_loop()
    fut = loop.run_in_executor(None, blocking, 0.01, 7)
    eq(await fut, 7)


async def test_several_at_once():
    try:
        got = await asyncio.gather(*[asyncio.to_thread(blocking, 0.02, i) for i in range(3)])
    except OSError:
        raise hwtest.Skip("this port runs one extra thread at a time")  # noqa: B904  (MicroPython code: no exception chaining)
    eq(got, [0, 1, 2])


async def test_cancelling_the_awaiter():
    # The thread works until told the awaiter was cancelled (a 50 ms job
    # cancelled after 10 ms could finish first on a loaded machine).
    started, cancelled, done = [], [], []

    def slow():
        started.append(1)
        for _ in range(2000):  # 10 s at most
            if cancelled:
                break
            time.sleep(0.005)
        done.append(1)

    t = asyncio.create_task(asyncio.to_thread(slow))
    for _ in range(1000):
        if started:
            break
        await asyncio.sleep(0.01)
    t.cancel()
    await araises(asyncio.CancelledError, t)
    cancelled.append(1)
    for _ in range(1000):  # the thread goes on to its end on its own
        if done:
            break
        await asyncio.sleep(0.01)
    eq(done, [1], "the thread ran to its end")


hwtest.main()

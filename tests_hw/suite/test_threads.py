# to_thread() and loop.run_in_executor(None, ...): a blocking function runs
# in a thread of its own while the loop goes on; its result or exception
# reaches the awaiter; cancelling the awaiter leaves the thread to finish.
# Needs _thread (unix, ESP32, RP2040; not QEMU or PYBV11: SKIP). Runs on
# CPython too.
import hwtest
from hwtest import eq, true, araises

hwtest.require("_thread")
import asyncio

hwtest.require("asyncio.to_thread")
import time


def blocking(seconds, value):
    time.sleep(seconds)
    return value


async def test_result_while_the_loop_runs():
    t, ticks = hwtest.ticker(0.005)
    eq(await asyncio.to_thread(blocking, 0.1, "v"), "v")
    true(ticks[0] >= 3, "the loop ran %d ticks during a 100 ms blocking call" % ticks[0])
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
        raise hwtest.Skip("this port runs one extra thread at a time")
    eq(got, [0, 1, 2])


async def test_cancelling_the_awaiter():
    done = []

    def slow():
        time.sleep(0.05)
        done.append(1)

    t = asyncio.create_task(asyncio.to_thread(slow))
    await asyncio.sleep(0.01)
    t.cancel()
    await araises(asyncio.CancelledError, t)
    for _ in range(300):  # the thread goes on (50 ms of work) on its own
        if done:
            break
        await asyncio.sleep(0.01)
    eq(done, [1], "the thread ran to its end")


hwtest.main()

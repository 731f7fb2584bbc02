# requires: threads
# loop.call_soon_threadsafe() and asyncio.run_coroutine_threadsafe(): a
# thread hands callbacks and coroutines to the loop, which runs them on its
# own thread, in order, and wakes for them even while it sleeps toward a
# timer; the thread waits for a coroutine's outcome through the returned
# future. Needs _thread (unix, ESP32, RP2040; not QEMU or PYBV11: SKIP).
# Runs on CPython too.
import hwtest
from hwtest import eq, true, raises

hwtest.require("_thread")
import asyncio  # noqa: E402  (imports follow the file's feature checks)

hwtest.require("asyncio.run_coroutine_threadsafe")
import _thread  # noqa: E402  (imports follow the file's feature checks)
import time  # noqa: E402  (imports follow the file's feature checks)


def in_thread(fn, *args):
    # Run fn(*args) in a thread; the returned Event is set (from the
    # thread, the thread-safe way) once fn has returned or raised, and
    # box[0] then holds ("ok", value) or ("error", exception).
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()
    box = []

    def body():
        try:
            box.append(("ok", fn(*args)))
        except BaseException as e:
            box.append(("error", e))
        loop.call_soon_threadsafe(finished.set)

    _thread.start_new_thread(body, ())
    return finished, box


async def outcome(finished, box, seconds=5):
    await asyncio.wait_for(finished.wait(), seconds)
    return box[0]


def named(e, name):
    # CPython's concurrent futures raise concurrent.futures' own
    # CancelledError; ours raise asyncio's. Both are named so.
    return type(e).__name__ == name


async def test_callbacks_run_on_the_loop_thread_in_order():
    loop = asyncio.get_running_loop()
    me = _thread.get_ident()
    got = []

    def record(i):
        got.append((i, _thread.get_ident() == me))

    def post():
        for i in range(5):
            h = loop.call_soon_threadsafe(record, i)
        return type(h).__name__

    eq(await outcome(*in_thread(post)), ("ok", "Handle"))
    eq(got, [(i, True) for i in range(5)], "callbacks, in order, on the loop's thread")


async def test_calls_from_the_loop_keep_order_with_call_soon():
    loop = asyncio.get_running_loop()
    log = []
    done = asyncio.Event()
    loop.call_soon(log.append, "a")
    loop.call_soon_threadsafe(log.append, "b")
    loop.call_soon(log.append, "c")
    loop.call_soon_threadsafe(log.append, "d")
    loop.call_soon_threadsafe(done.set)  # last: the others have run by then
    await asyncio.wait_for(done.wait(), 5)
    eq(log, ["a", "b", "c", "d"], "first in, first out, as in CPython")


async def test_wakes_a_loop_asleep_toward_a_timer():
    loop = asyncio.get_running_loop()
    woken = asyncio.Event()

    def later():
        time.sleep(0.05)
        loop.call_soon_threadsafe(woken.set)

    _thread.start_new_thread(later, ())
    # The loop's only timer is 3 s away: the call must wake it, not the timer.
    await asyncio.wait_for(woken.wait(), 3)


async def test_cancelled_handle_is_skipped():
    loop = asyncio.get_running_loop()
    got = []
    done = asyncio.Event()
    h = loop.call_soon_threadsafe(got.append, 1)
    h.cancel()
    loop.call_soon_threadsafe(got.append, 2)
    loop.call_soon_threadsafe(done.set)
    await asyncio.wait_for(done.wait(), 5)
    eq(got, [2])
    true(h.cancelled(), "handle reports cancelled")


async def test_failing_callback_goes_to_the_handler():
    loop = asyncio.get_running_loop()
    seen = []
    done = asyncio.Event()
    loop.set_exception_handler(
        lambda lp, context: seen.append(type(context.get("exception")).__name__)
    )
    try:
        loop.call_soon_threadsafe(lambda: 1 / 0)
        loop.call_soon_threadsafe(seen.append, "next")
        loop.call_soon_threadsafe(done.set)
        await asyncio.wait_for(done.wait(), 5)
    finally:
        loop.set_exception_handler(None)
    eq(seen, ["ZeroDivisionError", "next"], "reported, and later callbacks still run")


async def double(x):
    await asyncio.sleep(0.01)
    return 2 * x


async def test_coroutine_result_reaches_the_thread():
    loop = asyncio.get_running_loop()

    def ask():
        f = asyncio.run_coroutine_threadsafe(double(21), loop)
        return f.result(5), f.done(), f.cancelled(), f.exception()

    eq(await outcome(*in_thread(ask)), ("ok", (42, True, False, None)))


async def test_coroutine_exception_reaches_the_thread_only():
    loop = asyncio.get_running_loop()
    reported = []
    loop.set_exception_handler(lambda lp, context: reported.append(context))

    async def fail():
        await asyncio.sleep(0)
        raise ValueError("from the loop")

    def ask():
        f = asyncio.run_coroutine_threadsafe(fail(), loop)
        e = raises(ValueError, f.result, 5)
        return str(e), type(f.exception()).__name__

    try:
        eq(await outcome(*in_thread(ask)), ("ok", ("from the loop", "ValueError")))
        await asyncio.sleep(0.02)
    finally:
        loop.set_exception_handler(None)
    eq(reported, [], "the future took the exception: nothing left unretrieved")


async def test_cancel_from_the_thread_cancels_the_task():
    loop = asyncio.get_running_loop()
    started = asyncio.Event()
    ended = []

    async def long():
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise

    f = asyncio.run_coroutine_threadsafe(long(), loop)
    await started.wait()

    def cancel():
        cancelled = f.cancel()
        e = raises(BaseException, f.result, 1)
        return cancelled, f.cancelled(), f.done(), named(e, "CancelledError")

    eq(await outcome(*in_thread(cancel)), ("ok", (True, True, True, True)))
    await asyncio.sleep(0.02)
    eq(ended, ["cancelled"], "the coroutine was cancelled on the loop")
    eq(f.cancel(), True, "cancel() again: still cancelled")


async def test_result_timeout():
    loop = asyncio.get_running_loop()

    def ask():
        f = asyncio.run_coroutine_threadsafe(asyncio.sleep(2), loop)
        raises(asyncio.TimeoutError, f.result, 0.05)
        f.cancel()
        return f.cancelled()

    eq(await outcome(*in_thread(ask)), ("ok", True))


async def test_done_callback_runs_once_with_the_future():
    loop = asyncio.get_running_loop()
    calls = []
    f = asyncio.run_coroutine_threadsafe(double(4), loop)
    f.add_done_callback(lambda fut: calls.append(fut.result()))
    for _ in range(200):
        if f.done():
            break
        await asyncio.sleep(0.01)
    eq(calls, [8])
    f.add_done_callback(lambda fut: calls.append("late"))
    eq(calls, [8, "late"], "a callback added after the end runs at once")


async def test_not_a_coroutine():
    loop = asyncio.get_running_loop()
    raises(TypeError, asyncio.run_coroutine_threadsafe, 42, loop)


async def test_result_on_the_loop_thread_fails_instead_of_hanging():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("CPython's result() blocks the loop for good here")
    loop = asyncio.get_running_loop()
    f = asyncio.run_coroutine_threadsafe(double(1), loop)
    raises(RuntimeError, f.result)
    eq(await outcome(*in_thread(f.result, 5)), ("ok", 2), "the thread can still wait for it")


hwtest.main()

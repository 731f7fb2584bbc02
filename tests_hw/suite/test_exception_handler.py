# Loop exception handler: set/get/default/call_exception_handler, and an
# exception that ends a detached (never awaited) task reaching the handler
# with the context keys 'message', 'exception', 'future'.
# CPython reports detached failures only when the Task is garbage collected,
# so the detached-task tests are MicroPython-only.
import asyncio
import hwtest
from hwtest import eq, true


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, loop, context):
        self.calls.append((loop, context))  # keeps the dict itself, as a logger queue would


async def fail(exc):
    await asyncio.sleep(0)
    raise exc


async def yield_n(n):
    for _ in range(n):
        await asyncio.sleep(0)


def with_handler(test):
    # install a Recorder for the test, always restore the default afterwards
    async def wrapped():
        loop = asyncio.get_event_loop()
        rec = Recorder()
        loop.set_exception_handler(rec)
        try:
            await test(loop, rec)
        finally:
            loop.set_exception_handler(None)

    return wrapped


def micropython_only():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("CPython reports it at garbage collection")


def test_get_set_handler():
    loop = asyncio.get_event_loop() if hwtest.MICROPYTHON else asyncio.new_event_loop()
    eq(loop.get_exception_handler(), None, "no custom handler at start")
    rec = Recorder()
    loop.set_exception_handler(rec)
    true(loop.get_exception_handler() is rec, "get returns what was set")
    loop.set_exception_handler(None)
    eq(loop.get_exception_handler(), None, "None restores the default")
    if not hwtest.MICROPYTHON:
        loop.close()


@with_handler
async def _call_exception_handler(loop, rec):
    context = {"message": "m", "exception": ValueError("x"), "future": None}
    loop.call_exception_handler(context)
    eq(len(rec.calls), 1)
    true(rec.calls[0][0] is loop, "handler gets the loop first")
    eq(rec.calls[0][1]["message"], "m")
    true(isinstance(rec.calls[0][1]["exception"], ValueError), "context passed through")


async def test_call_exception_handler():
    await _call_exception_handler()


async def test_default_exception_handler_takes_context():
    # spec 001: default_exception_handler(context), what a custom handler
    # calls to fall back on the default (stock upstream needs (loop, context)).
    loop = asyncio.get_event_loop()
    print("(expected report of a dummy error follows)")
    loop.default_exception_handler(
        {"message": "dummy", "exception": OSError(1), "future": asyncio.current_task()}
    )


@with_handler
async def _detached_failure(loop, rec):
    exc = KeyError("lost")
    t = asyncio.create_task(fail(exc))
    await yield_n(4)
    eq(len(rec.calls), 1, "handler calls")
    got_loop, context = rec.calls[0]
    true(got_loop is loop, "handler gets the loop")
    true(isinstance(context["message"], str) and context["message"], "message is a non-empty str")
    true(context["exception"] is exc, "exception is the one raised")
    true(context["future"] is t, "future is the task")
    eq(t.done(), True)


async def test_detached_failure_reaches_handler():
    micropython_only()
    await _detached_failure()


@with_handler
async def _awaited_failure(loop, rec):
    t = asyncio.create_task(fail(ValueError("seen")))
    try:
        await t
    except ValueError:
        pass
    # retrieved before finishing, or after: neither reaches the handler
    late = asyncio.create_task(fail(ValueError("late")))
    await yield_n(1)
    try:
        await late
    except ValueError:
        pass
    await yield_n(4)
    eq(rec.calls, [], "awaited failures are not reported")


async def test_awaited_failure_not_reported():
    await _awaited_failure()


@with_handler
async def _cancel_not_reported(loop, rec):
    async def sleeper():
        await asyncio.sleep(10)

    t = asyncio.create_task(sleeper())
    await yield_n(1)
    t.cancel()
    await yield_n(4)
    eq(rec.calls, [], "a cancelled detached task is not an error")
    eq(t.done(), True)


async def test_cancelled_detached_task_not_reported():
    await _cancel_not_reported()


@with_handler
async def _several_failures(loop, rec):
    excs = [OSError(i) for i in range(3)]
    for e in excs:
        asyncio.create_task(fail(e))
    await yield_n(6)
    eq(len(rec.calls), 3)
    got = [c[1]["exception"].args[0] for c in rec.calls]
    # Each report must stand on its own: a handler may keep the context
    # for later (stock upstream reuses one dict, so all three show the last).
    eq(sorted(got), [0, 1, 2], "every failure reported once, in its own context")


async def test_several_detached_failures():
    micropython_only()
    await _several_failures()


@with_handler
async def _loop_survives(loop, rec):
    asyncio.create_task(fail(RuntimeError("boom")))
    survivor = asyncio.create_task(yield_n(5))
    await survivor
    eq(len(rec.calls), 1)
    eq(survivor.done(), True, "other tasks keep running after a failure")


async def test_loop_survives_detached_failure():
    micropython_only()
    await _loop_survives()


def test_handler_for_run_until_complete_failure():
    # the main task's exception goes to the caller of run(), not the handler
    micropython_only()
    rec = Recorder()
    loop = asyncio.get_event_loop()
    loop.set_exception_handler(rec)
    try:
        hwtest.raises(ZeroDivisionError, asyncio.run, fail(ZeroDivisionError()))
    finally:
        loop.set_exception_handler(None)
    eq(rec.calls, [])


hwtest.main()

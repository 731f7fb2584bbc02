# Every extra name either works or, on an image built with a smaller
# `extras` manifest option, raises an AttributeError that says so.
import asyncio
import hwtest

CPYTHON = ("Semaphore", "BoundedSemaphore", "Queue", "LifoQueue", "PriorityQueue", "QueueEmpty",
           "QueueFull", "Condition", "Barrier", "BrokenBarrierError", "TaskGroup", "timeout",
           "timeout_at", "Timeout", "wait", "as_completed", "shield", "FIRST_COMPLETED",
           "FIRST_EXCEPTION", "ALL_COMPLETED", "all_tasks", "InvalidStateError", "Handle", "TimerHandle", "Future", "isfuture",
           "run_coroutine_threadsafe")
MICROPYTHON = ("ThreadSafeEvent", "ThreadSafeQueue", "RingbufQueue", "Delay_ms", "Message", "Broker", "RegExp", "broker", "fast_io")


def _probe(names):
    present = []
    for name in names:
        try:
            getattr(asyncio, name)
            present.append(name)
        except AttributeError as e:
            hwtest.true("built without" in str(e), "clear message for %s: %s" % (name, e))
    return present


def test_cpython_extras_all_or_none():
    got = _probe(CPYTHON)
    hwtest.true(len(got) in (0, len(CPYTHON)), "frozen together, got %r" % (got,))


def test_micropython_extras_all_or_none():
    got = _probe(MICROPYTHON)
    hwtest.true(len(got) in (0, len(MICROPYTHON)), "frozen together, got %r" % (got,))
    if got:
        hwtest.true(len(_probe(CPYTHON)) == len(CPYTHON), "'all' includes the CPython extras")


def test_unknown_name():
    e = hwtest.raises(AttributeError, getattr, asyncio, "NoSuchThing")
    hwtest.true("built without" not in str(e), "plain AttributeError for unknown names")


def test_loop_methods_follow_extras():
    loop = asyncio.get_event_loop()
    if "Handle" in _probe(("Handle",)):
        hwtest.true(callable(loop.call_soon) and callable(loop.call_later_ms), "loop callbacks present")
        hwtest.true(isinstance(loop.time(), float), "loop.time() is a float")


hwtest.main()

# asyncio for MicroPython: our own scheduler, with an optional C core.
# Everything public is listed here; rarely used parts load on first use.

__version__ = "0.1.0"

from ._kernel import (
    CancelledError,
    TimeoutError,
    Task,
    create_task,
    current_task,
    run,
    run_until_complete,
    sleep,
    sleep_ms,
)

# name -> private module that defines it, imported on first access
_lazy = {
    "Event": "_sync",
    "Lock": "_sync",
    "ThreadSafeFlag": "_sync",
    "wait_for": "_combinators",
    "wait_for_ms": "_combinators",
    "gather": "_combinators",
    "open_connection": "_streams",
    "start_server": "_streams",
    "Stream": "_streams",
    "StreamReader": "_streams",
    "StreamWriter": "_streams",
    "Server": "_streams",
    "Loop": "_loop",
    "get_event_loop": "_loop",
    "new_event_loop": "_loop",
    # CPython-compatible extras (manifest extras="cpython" or "all")
    "Semaphore": "_semaphore",
    "BoundedSemaphore": "_semaphore",
    "Queue": "_queues",
    "LifoQueue": "_queues",
    "PriorityQueue": "_queues",
    "QueueEmpty": "_queues",
    "QueueFull": "_queues",
    "Condition": "_condition",
    "Barrier": "_barrier",
    "BrokenBarrierError": "_barrier",
    "TaskGroup": "_taskgroup",
    "ExceptionGroup": "_taskgroup",
    "timeout": "_timeouts",
    "timeout_at": "_timeouts",
    "Timeout": "_timeouts",
    "wait": "_wait",
    "as_completed": "_wait",
    "shield": "_wait",
    "FIRST_COMPLETED": "_wait",
    "FIRST_EXCEPTION": "_wait",
    "ALL_COMPLETED": "_wait",
    "all_tasks": "_alltasks",
    "InvalidStateError": "_taskext",
    "Handle": "_callbacks",
    "TimerHandle": "_callbacks",
    # MicroPython extras (manifest extras="all")
    "ThreadSafeEvent": "_threadsafe",
    "ThreadSafeQueue": "_threadsafe",
    "RingbufQueue": "_ringq",
    "Delay_ms": "_delay",
    "Message": "_message",
    "Broker": "_broker",
    "fast_io": "_fastio",
}


def __getattr__(name):
    home = _lazy.get(name)
    if home is None:
        raise AttributeError("module 'asyncio' has no attribute '%s'" % name)
    try:
        module = __import__(home, globals(), None, (name,), 1)
    except ImportError as e:
        if home not in str(e):
            raise
        raise AttributeError(
            "asyncio.%s is not in this image: it was built without the asyncio extras that freeze asyncio/%s.py (manifest option extras='cpython' or 'all')" % (name, home)
        )
    value = getattr(module, name)
    globals()[name] = value
    return value


# Task methods of the CPython-compatible extras (result(),
# add_done_callback()...) are reached through tasks, not this module: the
# core loads them on the first Task attribute it lacks (_kernel.py).

# asyncio for MicroPython: our own scheduler, with an optional C core.
# Everything public is listed here; rarely used parts load on first use.

__version__ = "0.1.0"

from . import _kernel
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

# name -> private module that defines it, imported on first access. One
# string in flash, not a dict built in RAM at import: " <module>: <name>
# <name> ... " groups, every token between spaces.
_LAZY = (
    " _sync: Event Lock ThreadSafeFlag "
    " _combinators: wait_for wait_for_ms gather "
    " _streams: open_connection start_server Stream StreamReader StreamWriter Server IncompleteReadError "
    " _loop: Loop get_event_loop new_event_loop "
    # CPython-compatible extras (manifest extras="cpython" or "all")
    " _semaphore: Semaphore BoundedSemaphore "
    " _queues: Queue LifoQueue PriorityQueue QueueEmpty QueueFull "
    " _condition: Condition "
    " _barrier: Barrier BrokenBarrierError "
    " _taskgroup: TaskGroup ExceptionGroup "
    " _timeouts: timeout timeout_at Timeout "
    " _wait: wait as_completed shield FIRST_COMPLETED FIRST_EXCEPTION ALL_COMPLETED "
    " _alltasks: all_tasks "
    " _taskext: InvalidStateError ensure_future iscoroutine "
    " _future: Future isfuture "
    " _callbacks: Handle TimerHandle get_running_loop "
    " _threads: to_thread "
    " _crossthread: run_coroutine_threadsafe "
    # MicroPython extras (manifest extras="all")
    " _threadsafe: ThreadSafeEvent ThreadSafeQueue "
    " _ringq: RingbufQueue "
    " _delay: Delay_ms "
    " _message: Message "
    " _broker: Broker RegExp broker "
    " _fastio: fast_io "
    " core: core "  # upstream's module, for drivers that reach into it
)


def __getattr__(name):
    i = _LAZY.find(" " + name + " ")
    if i < 0 or not name or " " in name or ":" in name:
        raise AttributeError("module 'asyncio' has no attribute '%s'" % name)
    j = _LAZY.rfind(":", 0, i)
    home = _LAZY[_LAZY.rfind(" ", 0, j) + 1 : j]
    try:
        module = _kernel.load(home)
    except ImportError as e:
        if home not in str(e):
            raise
        raise AttributeError("asyncio.%s: image built without asyncio/%s.py (manifest option extras)" % (name, home))
    value = module if home == name else getattr(module, name)
    globals()[name] = value
    return value


# Task methods of the CPython-compatible extras (result(),
# add_done_callback()...) are reached through tasks, not this module: the
# core loads them on the first Task attribute it lacks (_kernel.py).

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
}


def __getattr__(name):
    home = _lazy.get(name)
    if home is None:
        raise AttributeError("module 'asyncio' has no attribute '%s'" % name)
    value = getattr(__import__(home, globals(), None, (name,), 1), name)
    globals()[name] = value
    return value

# asyncio.Runner (CPython 3.11): run several coroutines on one loop, then
# close it, cancelling the tasks left behind.
#
# MicroPython has one loop: a Runner starts a fresh one (new_event_loop(),
# as CPython makes a new loop) on first use, and close() cancels what is
# left of it. State: _loop None until first use; _closed after close().

from . import _kernel
from ._kernel import _core, CancelledError


class Runner:
    def __init__(self, *, debug=None, loop_factory=None):
        self._debug = debug
        self._factory = loop_factory
        self._loop = None
        self._closed = False

    def __enter__(self):
        self._lazy_init()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def get_loop(self):
        self._lazy_init()
        return self._loop

    def run(self, coro, *, context=None):
        if not hasattr(coro, "send"):
            raise ValueError("a coroutine was expected, got %r" % (coro,))
        if _core.current() is not None:
            raise RuntimeError("Runner.run() cannot be called from a running event loop")
        self._lazy_init()
        return self._loop.run_until_complete(_kernel.create_task(coro))

    def close(self):
        if self._loop is None or self._closed:
            self._closed = True
            return
        try:
            _cancel_all(self._loop)
        finally:
            self._closed = True

    def _lazy_init(self):
        if self._closed:
            raise RuntimeError("Runner is closed")
        if self._loop is not None:
            return
        if self._factory is None:
            self._loop = _kernel.resolve("", "new_event_loop")()
        else:
            self._loop = self._factory()
        if self._debug is not None:
            self._loop.set_debug(self._debug)


def _cancel_all(loop):
    tasks = _kernel.resolve("", "all_tasks")()
    if not tasks:
        return
    for t in tasks:
        t.cancel()
    loop.run_until_complete(_kernel.resolve("", "gather")(*tasks, return_exceptions=True))
    for t in tasks:
        failed, exc = _core.outcome(t)
        if failed and not isinstance(exc, CancelledError):
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during asyncio.run() shutdown",
                    "exception": exc,
                    "task": t,
                }
            )

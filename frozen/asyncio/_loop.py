# The CPython-style loop object. MicroPython has one loop, so this is a
# facade over the kernel; new_event_loop() resets the kernel's state.

import sys

from . import _kernel
from ._kernel import _core

# (The kernel's functions are reached through _kernel, and the rest of the
# state lives out of the class: each table here stays at 12 names or fewer,
# the size MicroPython gives such a table before its next, 17 entries.)

# The marker stop() queues for the current run_forever(), or None when no
# run_forever() is waiting for one.
_stopper = None


class Loop:
    def __getattr__(self, name):
        # Only for attributes Loop lacks: loop.call_soon() and friends (the
        # CPython-compatible extras)
        return _kernel.more(self, Loop, name, True)

    def create_task(self, coro, name=None, context=None, eager_start=None):
        return _kernel.create_task(coro, name, eager_start)

    def run_forever(self):
        global _stopper
        _stopper = _core.Task(None)
        _kernel.run_until_complete(_stopper)

    def run_until_complete(self, aw):
        return _kernel.run_until_complete(_kernel.promote(aw))

    def stop(self):
        global _stopper
        m = _stopper
        if m is not None:
            _stopper = None
            _core.spawn(m)

    def close(self):
        pass

    def set_exception_handler(self, handler):
        if handler is not None and not callable(handler):
            raise TypeError("exception handler must be callable or None")
        _kernel._handler = handler

    def get_exception_handler(self):
        return _kernel._handler

    def default_exception_handler(self, context, uasyncio_context=None):
        # Called (context) like CPython or (loop, context) like uasyncio.
        default_handler(context if uasyncio_context is None else uasyncio_context)

    def call_exception_handler(self, context):
        _kernel.call_handler(context)


loop = Loop()
# Debug mode reports a step longer than this, in seconds (CPython's).
loop.slow_callback_duration = 0.1


def default_handler(context):
    print(context["message"], file=sys.stderr)
    t = context.get("future")
    if t is not None:
        print("future:", t, "coro=", t.coro, file=sys.stderr)
    exc = context.get("exception")
    if exc is not None:
        sys.print_exception(exc, sys.stderr)


def get_event_loop(runq_len=0, waitq_len=0):
    # The arguments are accepted for uasyncio v2 code and ignored.
    return loop


def new_event_loop():
    global _stopper
    _stopper = None
    _kernel.new_loop_state()
    eager = sys.modules.get("asyncio._eager")
    if eager is not None:
        eager.set_task_factory(None)  # (a new loop has none)
    return loop

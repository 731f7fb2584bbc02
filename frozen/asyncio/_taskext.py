# CPython's Task methods beyond the core's done()/cancel(): result,
# exception, cancelled, add/remove_done_callback, get/set_name, get_coro,
# cancelling/uncancel (the count of cancel requests, kept by the core).
# They are plain functions the core looks up when a Task attribute is not
# its own (extend_task()), so the core's own code and size are untouched.

from . import _kernel
from ._kernel import _core, CancelledError
from ._hooks import private_task, task_extra, wait_on


class InvalidStateError(Exception):
    pass


def _outcome(t):
    if not t.done():
        raise InvalidStateError("Result is not set.")
    return _core.outcome(t)


def result(t):
    failed, value = _outcome(t)
    if failed:
        raise value
    return value


def exception(t):
    failed, value = _outcome(t)
    if not failed:
        return None
    if isinstance(value, CancelledError):
        raise value
    return value


def cancelled(t):
    if not t.done():
        return False
    failed, value = _core.outcome(t)
    return failed and isinstance(value, CancelledError)


def cancelling(t):
    return _core.cancel_count(t, 0)


def uncancel(t):
    # (As CPython 3.11: a cancellation already on its way still arrives.)
    return _core.cancel_count(t, -1)


_count = 0


def get_name(t):
    global _count
    x = task_extra(t, True)
    if x.name is None:
        # CPython numbers tasks as they are created; we can only number
        # them as they are first asked for their name.
        _count += 1
        x.name = "Task-%d" % _count
    return x.name


def set_name(t, value):
    task_extra(t, True).name = str(value)


def get_coro(t):
    return t.coro


def add_done_callback(t, fn, *, context=None):
    x = task_extra(t, True)
    if x.callbacks is None:
        x.callbacks = []
    x.callbacks.append(fn)
    # Each callback has a private task that calls it, parked on t's wait
    # list now: it gets its turn among t's awaiters in the order they came,
    # as CPython schedules callbacks and awaiters' wake-ups alike.
    w = private_task(_notify(t, x, fn))
    if t.done():
        _core.spawn(w)
    else:
        wait_on(t, w)


def remove_done_callback(t, fn):
    x = task_extra(t)
    if x is None or not x.callbacks:
        return 0
    kept = [cb for cb in x.callbacks if cb != fn]
    n = len(x.callbacks) - len(kept)
    x.callbacks = kept
    return n


async def _notify(t, x, fn):
    # Resumed once t is done: the await just collects the outcome. The
    # callback runs unless remove_done_callback() took it out meanwhile.
    try:
        await t
    except BaseException:
        pass
    try:
        x.callbacks.remove(fn)
    except ValueError:
        return
    try:
        fn(t)
    except Exception as e:
        _kernel.call_handler({"message": "Exception in callback", "exception": e, "future": t})


def ensure_future(aw, *, loop=None):
    return _kernel.promote(aw)


async def _coro():
    pass


_CORO = type(_coro())  # (MicroPython: also the type of plain generators)


def iscoroutine(obj):
    return isinstance(obj, _CORO)

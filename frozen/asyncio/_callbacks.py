# loop.time(), loop.call_soon/call_later/call_at (CPython) and
# loop.call_later_ms (uasyncio 2.0), with cancellable handles.
#
# A handle's callback runs in a tiny task of its own that sleeps until the
# due time; cancelling the handle cancels that task, so a cancelled timer
# leaves nothing behind in the scheduler.

from time import ticks_diff

from . import _kernel
from ._kernel import _core
from ._hooks import private_task

# loop.time(): seconds since the first call, made monotonic (no ticks wrap)
# by adding up tick differences. _last: ticks at the previous call.
_last = None
_elapsed_ms = 0


def time():
    global _last, _elapsed_ms
    now = _core.ticks()
    if _last is not None:
        _elapsed_ms += ticks_diff(now, _last)
    _last = now
    return _elapsed_ms / 1000


class Handle:
    # _cb/_args: the call; _task: the task that makes it, None once run;
    # _cancelled: cancel() was called
    def __init__(self, cb, args):
        if not callable(cb):
            raise TypeError("callback must be callable, got %s" % type(cb).__name__)
        self._cb = cb
        self._args = args
        self._cancelled = False
        self._task = None

    def cancel(self):
        if self._cancelled:
            return
        self._cancelled = True
        t = self._task
        self._task = None
        if t is not None and t is not _core.current():
            t.cancel()

    def cancelled(self):
        return self._cancelled

    def _run(self):
        self._task = None
        try:
            self._cb(*self._args)
        except Exception as e:
            _kernel.call_handler(
                {"message": "Exception in callback", "exception": e, "handle": self}
            )


class TimerHandle(Handle):
    def __init__(self, when, cb, args):
        super().__init__(cb, args)
        self._when = when

    def when(self):
        return self._when


async def _fire(h, ms):
    if ms > 0:  # (call_soon: no sleep, the callback runs on the task's first turn)
        await _kernel._sleep_for(ms)  # in steps when beyond one timer's reach
    if not h._cancelled:
        h._run()


def _start(h, ms):
    # A private task (not a user task: all_tasks() doesn't list it).
    t = private_task(_fire(h, ms))
    h._task = t
    _core.spawn(t)
    return h


def _check_delay(delay):
    if type(delay) is not int and type(delay) is not float:
        raise TypeError("delay must be a number, got %s" % type(delay).__name__)


def call_soon(cb, *args, context=None):
    return _start(Handle(cb, args), 0)


def call_later_ms(delay, cb, *args):
    if type(delay) is not int:
        raise TypeError("call_later_ms() needs an int number of milliseconds")
    return _start(TimerHandle(time() + delay / 1000, cb, args), delay)


def call_later(delay, cb, *args, context=None):
    _check_delay(delay)
    return _start(TimerHandle(time() + delay, cb, args), int(delay * 1000))


def call_at(when, cb, *args, context=None):
    _check_delay(when)
    return _start(TimerHandle(when, cb, args), int((when - time()) * 1000))


def is_running():
    return _core.current() is not None


def is_closed():
    return False

# asyncio.Future, loop.create_future() and isfuture(): a result that code
# sets later, for callback-style code written for CPython. Tasks are not
# Futures here (the core's Task is its own type), but everything that takes
# an awaitable (gather, wait_for, create_task...) takes a Future too.
#
# State: _state one of the four below; _value the result, or the
# exception when _state is _FAILED or _CANCELLED; _callbacks None or, in
# the order they came, the done callbacks and the tasks parked awaiting
# the future. At the end each gets its turn in that order, as in CPython,
# where an awaiting task's wake-up is itself a done callback.

from micropython import const

from ._kernel import _core, CancelledError
from ._callbacks import call_soon
from ._taskext import InvalidStateError

_PENDING = const(0)
_FINISHED = const(1)
_FAILED = const(2)
_CANCELLED = const(3)


class Future:
    # CPython's duck-type marker: create_task() and isfuture() look for it.
    _asyncio_future_blocking = False

    def __init__(self, *, loop=None):
        self._state = _PENDING
        self._value = None
        self._callbacks = None

    def get_loop(self):
        from ._loop import loop

        return loop

    def done(self):
        return self._state != _PENDING

    def cancelled(self):
        return self._state == _CANCELLED

    def result(self):
        if self._state == _PENDING:
            raise InvalidStateError("Result is not set.")
        if self._state != _FINISHED:
            raise self._value
        return self._value

    def exception(self):
        if self._state == _PENDING:
            raise InvalidStateError("Exception is not set.")
        if self._state == _CANCELLED:
            raise self._value
        return self._value if self._state == _FAILED else None

    def _finish(self, state, value):
        if self._state != _PENDING:
            raise InvalidStateError("invalid state")
        self._state = state
        self._value = value
        entries = self._callbacks
        self._callbacks = None
        for x in entries or ():
            if isinstance(x, _core.Task):
                _core.wake(x)
            else:
                call_soon(x, self)

    def set_result(self, result):
        self._finish(_FINISHED, result)

    def set_exception(self, exception):
        if isinstance(exception, type):
            exception = exception()
        if isinstance(exception, StopIteration):
            raise TypeError(
                "StopIteration interacts badly with generators and cannot be raised into a Future"
            )
        self._finish(_FAILED, exception)

    def cancel(self, msg=None):
        if self._state != _PENDING:
            return False
        self._finish(_CANCELLED, CancelledError() if msg is None else CancelledError(msg))
        return True

    def _add(self, x):
        if self._callbacks is None:
            self._callbacks = [x]
        else:
            self._callbacks.append(x)

    def add_done_callback(self, fn, *, context=None):
        if self._state != _PENDING:
            call_soon(fn, self)
        else:
            self._add(fn)

    def remove_done_callback(self, fn):
        cbs = self._callbacks
        if not cbs:
            return 0
        kept = [x for x in cbs if isinstance(x, _core.Task) or x != fn]
        self._callbacks = kept
        return len(cbs) - len(kept)

    def _drop(self, t):
        # The core cancels a task parked here.
        self._callbacks.remove(t)

    def __iter__(self):
        if self._state == _PENDING:
            self._add(_core.current())
            _core.pause(self)
            try:
                yield  # parked until _finish() wakes us
            except CancelledError:
                # As in CPython: cancelling the task that awaits a Future
                # cancels the Future.
                self.cancel()
                raise
            _core.resuming()
        return self.result()

    __await__ = __iter__


def isfuture(obj):
    return getattr(type(obj), "_asyncio_future_blocking", None) is not None or isinstance(
        obj, _core.Task
    )


def create_future():
    # (loop.create_future: the registry makes it a method of the loop)
    return Future()

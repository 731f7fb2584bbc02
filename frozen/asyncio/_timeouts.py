# asyncio.timeout()/timeout_at() and Timeout (CPython 3.11's API, with
# 3.12's rule for which timeout owns a cancellation).
#
# A Timeout arms a loop timer that cancels the task inside `async with`.
# The task counts cancel requests (Task.cancelling()); on the way out the
# expired Timeout takes its own back (uncancel()), and only when no request
# is left beyond those already pending as it was entered is the
# CancelledError its own, which it turns into TimeoutError. So of nested
# timeouts the one that expired answers, and a cancel from outside (or a
# TaskGroup's) passes through. Deadlines are in loop.time() seconds.
#
# State: _when deadline or None; _task the task inside the block; _handle
# the armed TimerHandle or None; _state one of the names below (CPython's
# words, which its messages quote); _cancelling the task's count on entry.

from ._kernel import _core, CancelledError, TimeoutError, current_task
from ._callbacks import time as _time, call_soon as _call_soon, call_at as _call_at

_CREATED = "created"
_ENTERED = "active"
_EXPIRING = "expiring"  # timer fired, cancellation on its way
_EXPIRED = "expired"  # ... and taken back on the way out
_EXITED = "finished"


class Timeout:
    def __init__(self, when):
        self._when = when
        self._task = None
        self._handle = None
        self._state = _CREATED
        self._cancelling = 0

    def when(self):
        return self._when

    def expired(self):
        return self._state is _EXPIRING or self._state is _EXPIRED

    def __repr__(self):
        when = ""
        if self._state is _ENTERED:
            when = " when=%s" % (None if self._when is None else round(self._when, 3))
        return "<Timeout [%s]%s>" % (self._state, when)

    def reschedule(self, when):
        if self._state is not _ENTERED:
            if self._state is _CREATED:
                raise RuntimeError("Timeout has not been entered")
            raise RuntimeError("Cannot change state of %s Timeout" % self._state)
        self._when = when
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if when is not None:
            if when <= _time():
                self._handle = _call_soon(self._on_timeout)
            else:
                self._handle = _call_at(when, self._on_timeout)

    def _on_timeout(self):
        self._task.cancel()
        self._state = _EXPIRING
        self._handle = None

    async def __aenter__(self):
        if self._state is not _CREATED:
            raise RuntimeError("Timeout has already been entered")
        self._task = current_task()
        if self._task is None:
            raise RuntimeError("Timeout should be used inside a task")
        self._cancelling = _core.cancel_count(self._task, 0)
        self._state = _ENTERED
        self.reschedule(self._when)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state is _EXPIRING:
            self._state = _EXPIRED
            if (
                _core.cancel_count(self._task, -1) <= self._cancelling
                and exc_type is not None
                and issubclass(exc_type, CancelledError)
            ):
                raise TimeoutError
        elif self._state is _ENTERED:
            self._state = _EXITED
        return None


def timeout(delay):
    return Timeout(None if delay is None else _time() + delay)


def timeout_at(when):
    return Timeout(when)

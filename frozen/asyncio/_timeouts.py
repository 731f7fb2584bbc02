# asyncio.timeout()/timeout_at() and Timeout (CPython 3.11's API).
#
# A Timeout arms a loop timer that cancels the task inside `async with`;
# when that cancellation comes back out of the block, __aexit__ turns it
# into TimeoutError. Deadlines are in loop.time() seconds.
#
# State: _when deadline or None; _task the task inside the block; _handle
# the armed TimerHandle or None; _state one of the names below.

from ._kernel import CancelledError, TimeoutError, current_task
from ._callbacks import time as _time, call_soon as _call_soon, call_at as _call_at

_CREATED = 0
_ENTERED = 1
_EXPIRING = 2  # timer fired, cancellation on its way
_EXPIRED = 3  # ... and turned into TimeoutError
_EXITED = 4


class Timeout:
    def __init__(self, when):
        self._when = when
        self._task = None
        self._handle = None
        self._state = _CREATED

    def when(self):
        return self._when

    def expired(self):
        return self._state == _EXPIRING or self._state == _EXPIRED

    def reschedule(self, when):
        if self._state != _ENTERED:
            raise RuntimeError(
                "Timeout has not been entered"
                if self._state == _CREATED
                else "Cannot reschedule after expiration"
            )
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
        if self._state != _CREATED:
            raise RuntimeError("Timeout has already been entered")
        self._task = current_task()
        self._state = _ENTERED
        self.reschedule(self._when)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state == _EXPIRING:
            self._state = _EXPIRED
            if exc_type is not None and issubclass(exc_type, CancelledError):
                raise TimeoutError
        else:
            self._state = _EXITED
        return None


def timeout(delay):
    return Timeout(None if delay is None else _time() + delay)


def timeout_at(when):
    return Timeout(when)

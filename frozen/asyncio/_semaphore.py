# Semaphore and BoundedSemaphore (CPython's API).
#
# State: _value free permits; _q WaitQueue of tasks waiting for one. A
# release() with waiters hands its permit straight to the oldest waiter
# (the count never goes up), so a newcomer can't take it first; a waiter
# cancelled after being handed a permit releases it again.

from ._kernel import CancelledError, _core
from ._waitq import WaitQueue


class _Granted:
    # Awaitable for an acquire() that succeeded at once: no coroutine needed.
    def __iter__(self):
        return self

    def __next__(self):
        raise StopIteration(True)


_GRANTED = _Granted()


class Semaphore:
    def __init__(self, value=1):
        if type(value) is not int:
            raise TypeError("Semaphore value must be an int")
        if value < 0:
            raise ValueError("Semaphore initial value must be >= 0")
        self._value = value
        self._q = WaitQueue()

    def locked(self):
        return self._value == 0

    def acquire(self):
        # Uncontended: take the permit now and return a ready awaitable. A
        # waiter that was handed a permit but has not run yet still counts
        # as contention (CPython 3.11.7+): newcomers queue behind it.
        q = self._q
        if self._value > 0 and not len(q) and not q.handed:
            self._value -= 1
            return _GRANTED
        return self._acquire_slow()

    async def _acquire_slow(self):
        q = self._q
        try:
            await q.park()
        except CancelledError:
            if q.was_woken(_core.current()):
                self.release()
            raise
        q.was_woken(_core.current())
        # Newcomers that queued behind us while free permits were left get
        # them now, in order.
        while self._value > 0 and len(q):
            self._value -= 1
            q.wake_one()
        return True

    def release(self):
        if not self._q.wake_one():
            self._value += 1

    async def __aenter__(self):
        await self.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        self.release()


class BoundedSemaphore(Semaphore):
    # release() beyond the initial value is a bug in the caller: say so.
    def __init__(self, value=1):
        super().__init__(value)
        self._bound = value

    def release(self):
        if self._value >= self._bound:
            raise ValueError("BoundedSemaphore released too many times")
        super().release()

# Condition (CPython's API): a Lock plus a queue of tasks waiting to be
# notified. wait() releases the lock, parks, then takes the lock back, even
# when cancelled, so the caller's `async with cond:` always unlocks a lock
# it holds.
#
# State: _lock the underlying Lock (the caller's or our own); _q WaitQueue
# of tasks inside wait().

from ._kernel import CancelledError, _core
from ._waitq import WaitQueue


class Condition:
    def __init__(self, lock=None):
        self._lock = _core.Lock() if lock is None else lock
        self._q = WaitQueue()

    def locked(self):
        return self._lock.locked()

    def acquire(self):
        return self._lock.acquire()

    def release(self):
        self._lock.release()

    async def __aenter__(self):
        await self._lock.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        self._lock.release()

    def _owned(self, what):
        if not self._lock.locked():
            raise RuntimeError("cannot %s on un-acquired lock" % what)

    async def wait(self):
        self._owned("wait")
        self._lock.release()
        q = self._q
        cur = _core.current()
        cancelled = None
        try:
            await q.park()
        except CancelledError as e:
            # A notification this task can no longer use goes to the next.
            if q.was_woken(cur):
                q.wake_one()
            cancelled = e
        else:
            q.was_woken(cur)
        # Re-acquire even if cancelled again while waiting for the lock.
        while True:
            try:
                await self._lock.acquire()
                break
            except CancelledError as e:
                cancelled = e
        if cancelled is not None:
            raise cancelled
        return True

    async def wait_for(self, predicate):
        # Until predicate() is true (tested first, then after each wake-up);
        # returns its value.
        while True:
            ok = predicate()
            if ok:
                return ok
            await self.wait()

    def notify(self, n=1):
        self._owned("notify")
        while n > 0 and self._q.wake_one():
            n -= 1

    def notify_all(self):
        self._owned("notify")
        self._q.wake_all()

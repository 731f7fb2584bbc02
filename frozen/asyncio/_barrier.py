# Barrier (CPython 3.11's API): `parties` tasks meet in wait(); the last to
# arrive releases them all, and each gets its arrival index.
#
# State: _count tasks inside wait(); _state one of the four below; _q
# WaitQueue of tasks waiting for the state to change (to fill, or to enter
# a barrier that is still draining the previous round).

from ._kernel import _core
from ._waitq import WaitQueue

_FILLING = 0  # tasks arrive; the last one flips to _DRAINING
_DRAINING = 1  # released tasks are leaving; newcomers wait
_RESETTING = 2  # reset() with tasks inside: they leave with BrokenBarrierError
_BROKEN = 3  # abort(): every wait() fails until reset()


class BrokenBarrierError(RuntimeError):
    pass


class Barrier:
    def __init__(self, parties):
        if type(parties) is not int or parties < 1:
            raise ValueError("parties must be an int > 0")
        self._parties = parties
        self._count = 0
        self._state = _FILLING
        self._q = WaitQueue()

    async def _sleep(self):
        q = self._q
        cur = _core.current()
        try:
            await q.park()
        finally:
            q.was_woken(cur)

    async def wait(self):
        while self._state == _DRAINING or self._state == _RESETTING:
            await self._sleep()
        if self._state == _BROKEN:
            raise BrokenBarrierError("Barrier aborted")
        index = self._count
        self._count += 1
        try:
            if index + 1 == self._parties:
                self._state = _DRAINING
                self._q.wake_all()
            else:
                while self._state == _FILLING:
                    await self._sleep()
                if self._state != _DRAINING:
                    raise BrokenBarrierError("Abort or reset of barrier")
            return index
        finally:
            # The last task out opens the barrier for the next round.
            self._count -= 1
            if not self._count and (self._state == _DRAINING or self._state == _RESETTING):
                self._state = _FILLING
                self._q.wake_all()

    async def reset(self):
        if self._count:
            self._state = _RESETTING
        else:
            self._state = _FILLING
        self._q.wake_all()

    async def abort(self):
        self._state = _BROKEN
        self._q.wake_all()

    async def __aenter__(self):
        return await self.wait()

    async def __aexit__(self, *exc):
        pass

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        return self._count if self._state == _FILLING else 0

    @property
    def broken(self):
        return self._state == _BROKEN

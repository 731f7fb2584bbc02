# Barrier: `parties` tasks meet; the last to arrive releases them all.
# CPython 3.11's API (await wait() gives each its arrival index; reset(),
# abort(), parties, n_waiting, broken) and the tutorial's: `await barrier`,
# a callback run as the barrier trips (Barrier(n, func, args), result()),
# trigger() for a party that passes without waiting, busy().
#
# State: _arrived parties that reached the barrier this round (waiting or
# triggered); _count tasks inside wait(); _early triggers that came while
# the previous round was still draining (they count for the next one);
# _state one of the four below; _q WaitQueue of tasks waiting for the state
# to change; _func/_args the callback, _res what it returned (a Task for a
# coroutine).

from ._kernel import _core, create_task
from ._waitq import WaitQueue

_FILLING = 0  # parties arrive; the last one flips to _DRAINING
_DRAINING = 1  # released tasks are leaving; newcomers wait
_RESETTING = 2  # reset() with tasks inside: they leave with BrokenBarrierError
_BROKEN = 3  # abort(): every wait() fails until reset()


class BrokenBarrierError(RuntimeError):
    pass


class Barrier:
    def __init__(self, parties, func=None, args=()):
        if type(parties) is not int or parties < 1:
            raise ValueError("parties must be an int > 0")
        self._parties = parties
        self._arrived = 0
        self._count = 0
        self._early = 0
        self._state = _FILLING
        self._q = WaitQueue()
        self._func = func
        self._args = args
        self._res = None

    async def _sleep(self):
        q = self._q
        cur = _core.current()
        try:
            await q.park()
        finally:
            q.was_woken(cur)

    def _trip(self):
        # The last party arrived: run the callback, release the waiters.
        if self._func is not None:
            r = self._func(*self._args)
            self._res = create_task(r) if hasattr(r, "send") else r
        self._state = _DRAINING
        if not self._count:
            self._next_round()  # (only triggers arrived: nobody to drain)
        else:
            self._q.wake_all()

    def _next_round(self):
        self._state = _FILLING
        self._arrived = self._early
        self._early = 0
        self._q.wake_all()

    async def wait(self):
        while self._state == _DRAINING or self._state == _RESETTING:
            await self._sleep()
        if self._state == _BROKEN:
            raise BrokenBarrierError("Barrier aborted")
        index = self._arrived
        self._arrived += 1
        self._count += 1
        try:
            if self._arrived == self._parties:
                self._trip()
            else:
                while self._state == _FILLING:
                    await self._sleep()
                if self._state != _DRAINING:
                    raise BrokenBarrierError("Abort or reset of barrier")
            return index
        finally:
            self._count -= 1
            if self._state == _FILLING:
                # Cancelled (or timed out) before the round tripped: give
                # the place back, as CPython does.
                self._arrived -= 1
            elif not self._count and (self._state == _DRAINING or self._state == _RESETTING):
                # The last task out opens the barrier for the next round.
                self._next_round()

    def __iter__(self):
        # `await barrier` (the tutorial's form) is wait()
        return self.wait()

    def trigger(self):
        # A party passes the barrier without waiting for it.
        if self._state == _BROKEN:
            raise BrokenBarrierError("Barrier aborted")
        if self._state != _FILLING:
            if self._early + 1 >= self._parties:
                raise ValueError("Too many tasks accessing Barrier")
            self._early += 1
            return
        self._arrived += 1
        if self._arrived == self._parties:
            self._trip()

    def busy(self):
        return self._arrived > 0

    def result(self):
        return self._res

    async def reset(self):
        self._early = 0
        if self._count:
            self._state = _RESETTING
        else:
            self._state = _FILLING
            self._arrived = 0
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

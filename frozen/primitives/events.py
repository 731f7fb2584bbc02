# Event-based input drivers (ESwitch, EButton) and the tutorial's helpers
# for waiting on several event-like objects (anything with an async
# wait()): WaitAny, WaitAll, and ELO, which makes a task one.
from asyncio import Event, create_task, CancelledError

from ._hub import Input
from ._clicks import PRESS
from .pushbutton import Pushbutton

_NAMES = ("press", "release", "long", "double")


class ESwitch(Input):
    # close / open: Events set as the switch closes / opens; lopen the pin
    # level of the open switch. The application clears them.
    def __init__(self, pin, lopen=1):
        self._lopen = lopen
        self.close = Event()
        self.open = Event()
        self._start(pin, 0)

    def _raw(self):
        return self._pin.value() ^ self._lopen

    def __call__(self):
        return self._state

    def _changed(self, v, t):
        (self.close if v else self.open).set()

    def deinit(self):
        super().deinit()
        self.close.clear()
        self.open.clear()


class EButton(Pushbutton):
    # press, release, long, double: Events, always there; suppress as the
    # tutorial's "Suppress mode" table (mode 2 of _clicks)
    def __init__(self, pin, suppress=False, sense=None):
        for name in _NAMES:
            setattr(self, name, Event())
        super().__init__(pin, suppress, sense)
        self._sup = 2 if suppress else 0
        self._fn = [None] * 4

    def _emit(self, kind):
        getattr(self, _NAMES[kind]).set()

    def _wants(self, kind):
        return kind != PRESS

    def deinit(self):
        super().deinit()
        for name in _NAMES:
            getattr(self, name).clear()


async def _relay(elo, group):
    # Wait on one member of a WaitAny/WaitAll, then tell the group.
    await elo.wait()
    group._done(elo)


class _Group:
    # _elos: what to wait on; _evt: set when the group is satisfied;
    # _left: members WaitAll still waits for; _trig: WaitAny's last winner
    def __init__(self, elos, *more):
        self._elos = (elos,) + more if more else elos
        self._evt = Event()
        self._trig = None

    async def wait(self):
        self._evt.clear()
        self._left = len(self._elos)
        tasks = [create_task(_relay(e, self)) for e in self._elos]
        try:
            await self._evt.wait()
        finally:
            for t in tasks:
                if not t.done():
                    t.cancel()
        return self._trig

    def clear(self):
        for e in self._elos:
            if hasattr(e, "clear"):
                e.clear()


class WaitAny(_Group):
    def _done(self, elo):
        if not self._evt.is_set():
            self._trig = elo
            self._evt.set()

    def event(self):
        return self._trig


class WaitAll(_Group):
    def _done(self, elo):
        self._left -= 1
        if not self._left:
            self._evt.set()


class ELO:
    # A task as an event-like object: wait() returns when it ends, however
    # (a cancellation included); calling it gives the task, or the
    # CancelledError once it was cancelled.
    def __init__(self, coro, *args, **kwargs):
        if hasattr(coro, "cancel"):  # a Task
            self._task = coro
        else:  # a coroutine, or a function making one from the arguments
            self._task = create_task(coro if hasattr(coro, "send") else coro(*args, **kwargs))
        self._err = None

    async def wait(self):
        try:
            await self._task
        except CancelledError as e:
            self._err = e
        except Exception:
            pass  # the task's own outcome: awaiting it again tells it

    def __call__(self):
        return self._err if self._err is not None else self._task

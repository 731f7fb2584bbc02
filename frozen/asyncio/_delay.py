# Delay_ms: a retriggerable monostable / software watchdog (the tutorial's
# Delay_ms). trigger() (re)starts the countdown; when it runs out, the
# callback runs (a coroutine it returns becomes a task) and wait() returns.
#
# trigger() may run in an IRQ or scheduler callback: it only stores the
# new deadline and hands the object to the kick service below through a
# preallocated ring, then sets a ThreadSafeFlag. A Delay_ms has a task only
# while it is running, and nothing global refers to an idle one, so
# dropping it frees it: deinit() is optional (it just stops the timer).
#
# State: _func/_args callback; _duration default ms; _deadline ticks_ms at
# which it fires; _running 0/1; _task timing task or None; _wake_at ticks
# the timing task sleeps until; _kicked 0/1 in the kick ring; _rvalue the
# callback's return value (None again at each trigger); _done Event set at
# each timeout, cleared only by stop() and clear() (as the tutorial's: a
# retrigger leaves it set); _dead after deinit().

from time import ticks_add, ticks_diff

from . import _kernel
from ._kernel import _core
from ._hooks import private_task
from ._sync import ThreadSafeFlag

# Kick service: Delay_ms objects triggered since the service last ran. One
# IRQ priority level may produce (it only moves _kick_wi), the service task
# consumes (only moves _kick_ri).
KICK_SLOTS = 16
_kicks = [None] * KICK_SLOTS
_kick_wi = 0
_kick_ri = 0
_kick_flag = ThreadSafeFlag()
_service = None


def _kick(d):
    global _kick_wi
    nxt = (_kick_wi + 1) % KICK_SLOTS
    if nxt == _kick_ri:
        raise RuntimeError("Delay_ms: too many triggers before the loop ran")
    _kicks[_kick_wi] = d
    _kick_wi = nxt
    _kick_flag.set()


async def _serve():
    global _kick_ri
    while True:
        while _kick_ri != _kick_wi:
            d = _kicks[_kick_ri]
            _kicks[_kick_ri] = None
            _kick_ri = (_kick_ri + 1) % KICK_SLOTS
            d._kicked = 0
            d._arm()
        await _kick_flag.wait()


def _ensure_service():
    # (Re)start the service. new_event_loop() forgets every task; it also
    # replaces the kernel's I/O state, which is how we notice.
    global _service, _service_io
    if _service is None or _service.done() or _service_io is not _kernel._io:
        _service = private_task(_serve())
        _service_io = _kernel._io
        _core.spawn(_service)


_service_io = None


class Delay_ms:
    def __init__(self, func=None, args=(), duration=1000, can_alloc=True):
        # (can_alloc: accepted for the tutorial's older signature, unused)
        self._func = func
        self._args = args
        self._duration = duration
        self._deadline = 0
        self._running = 0
        self._task = None
        self._wake_at = 0
        self._kicked = 0
        self._rvalue = None
        self._done = _core.Event()
        self._dead = 0
        _ensure_service()

    def trigger(self, duration=0):
        # Safe in IRQs: int arithmetic and stores only.
        if self._dead:
            raise RuntimeError("Delay_ms.deinit() has run")
        self._rvalue = None  # a retrigger cancels the last timeout's outcome
        self._deadline = ticks_add(_core.ticks(), duration if duration > 0 else self._duration)
        self._running = 1
        _ensure_service()  # allocates only if the loop was replaced
        if not self._kicked:
            self._kicked = 1
            _kick(self)

    def _arm(self):
        # In the loop: start the timing task, or restart it if the deadline
        # moved earlier than the time it sleeps until.
        if not self._running:
            return
        t = self._task
        if t is not None and ticks_diff(self._deadline, self._wake_at) < 0:
            self._task = None
            t.cancel()
            t = None
        if t is None:
            self._task = private_task(self._time())
            _core.spawn(self._task)

    async def _time(self):
        while True:
            ms = ticks_diff(self._deadline, _core.ticks())
            if ms <= 0:
                break
            self._wake_at = self._deadline
            await _core.sleep_ms(ms)
        self._task = None
        self._running = 0
        self._done.set()
        if self._func is not None:
            r = self._func(*self._args)
            if hasattr(r, "send"):
                r = _core.Task(r)
                _core.spawn(r)
            self._rvalue = r

    def stop(self):
        self._running = 0
        self._done.clear()
        t = self._task
        self._task = None
        if t is not None and t is not _core.current():
            t.cancel()

    def running(self):
        return self._running == 1

    __call__ = running

    def rvalue(self):
        return self._rvalue

    def callback(self, func=None, args=()):
        self._func = func
        self._args = args

    def wait(self):
        return self._done.wait()

    # The timeout Event itself, for code that consumes it (await d.wait();
    # d.clear()) or fakes a timeout.
    def set(self):
        self._done.set()

    def clear(self):
        self._done.clear()

    def deinit(self):
        self.stop()
        self._dead = 1

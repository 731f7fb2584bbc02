# The service every pin-watching input of the package shares. A pin IRQ
# only marks its input and sets one ThreadSafeFlag (two stores: no
# allocation, safe in a hard IRQ); one pump task turns marks into reads,
# one clock task runs the inputs' deadlines (debounce lockouts, long
# presses, double-click windows, encoder delays, pins without IRQs polled).
# An idle input costs no task and no CPU; the two tasks exist once.
#
# An input has: _hit (1 from its IRQ), _due (ticks of its next deadline,
# or None), _lead (ms: a deadline its _edge() sets is never sooner than
# that), _edge(now) (the pump saw _hit), _tick(now) (the clock reached
# _due; the input sets its next _due).
#
# A sleep can't be shortened without cancelling it (an exception object
# each time), so while deadlines are pending the clock sleeps at most the
# smallest _lead: a deadline an edge sets then never comes before the
# clock's wake-up, and no edge or click allocates. (The cancel stays, for
# deadlines that break that promise.)

from time import ticks_add, ticks_diff

from asyncio import _kernel
from asyncio._kernel import _core, CancelledError, call_handler
from asyncio._hooks import private_task

flag = _core.ThreadSafeFlag()
_inputs = []
_clock = None
_idle = None  # core Event the clock waits on while no input has a deadline
_wake_at = 0  # the deadline the clock sleeps toward, while _sleeping
_sleeping = 0
_cap = 50  # ms: the smallest _lead of the inputs
_io = None  # the loop the two tasks run on (new_event_loop() drops them)


def add(i):
    global _clock, _idle, _io, _sleeping, _cap
    if _io is not _kernel._io:
        _io = _kernel._io
        _sleeping = 0
        del _inputs[:]  # inputs of an abandoned loop go with its tasks
        _idle = _core.Event()
        _clock = private_task(_run_clock())
        _core.spawn(_clock)
        _core.spawn(private_task(_run_pump()))
    if i not in _inputs:
        if not _inputs or i._lead < _cap:
            _cap = max(i._lead, 1)
        _inputs.append(i)
    plan()


def drop(i):
    if i in _inputs:
        _inputs.remove(i)


def after(ms):
    return ticks_add(_core.ticks(), ms)


def earliest(a, b):
    # The sooner of two deadlines (None: none)
    if a is None or (b is not None and ticks_diff(b, a) < 0):
        return b
    return a


def plan():
    # After an input set a deadline: wake an idle clock, or make a
    # sleeping one start over when the deadline comes before its own.
    global _sleeping
    d = None
    for i in _inputs:
        d = earliest(d, i._due)
    if d is None or _idle is None:
        return
    if not _sleeping:
        _idle.set()
    elif ticks_diff(d, _wake_at) < 0:
        _sleeping = 0
        _clock.cancel()


def _report(e):
    # A user callback raised: tell the loop's handler, keep serving.
    call_handler({"message": "primitives callback failed", "exception": e})


async def _run_pump():
    while True:
        await flag.wait()
        t = _core.ticks()
        for i in _inputs:
            if i._hit:
                i._hit = 0
                try:
                    i._edge(t)
                except Exception as e:
                    _report(e)
        plan()


async def _run_clock():
    global _wake_at, _sleeping
    while True:
        d = None
        for i in _inputs:
            d = earliest(d, i._due)
        if d is None:
            _idle.clear()
            await _idle.wait()
            continue
        t = _core.ticks()
        ms = ticks_diff(d, t)
        if ms > 0:
            if ms > _cap:
                ms = _cap
                d = ticks_add(t, ms)
            _wake_at = d
            _sleeping = 1
            try:
                await _core.sleep_ms(ms)
            except CancelledError:
                pass  # plan() found an earlier deadline
            _sleeping = 0
            continue
        t = _core.ticks()
        for i in _inputs:
            d = i._due
            if d is not None and ticks_diff(d, t) <= 0:
                i._due = None
                try:
                    i._tick(t)
                except Exception as e:
                    _report(e)


def watch(pin, isr):
    # Both edges of `pin` call isr(pin); False for a pin without IRQs.
    irq = getattr(pin, "irq", None)
    if irq is None:
        return False
    trigger = pin.IRQ_RISING | pin.IRQ_FALLING
    try:
        irq(isr, trigger, hard=True)
    except TypeError:  # a port (or a test double) without hard IRQs
        irq(isr, trigger)
    return True


def unwatch(pin):
    if getattr(pin, "irq", None) is not None:
        pin.irq(None)


class Input:
    # A debounced level: the first edge is taken at once, then edges are
    # ignored for debounce_ms (contact bounce), and the level is read again
    # when that lockout ends. Subclasses give _raw() (the level to track),
    # _changed(v, now), and optionally _next() (their own earliest
    # deadline, None for none) with _timers(now) to run it.
    # State: _pin; _state the debounced level; _lock ticks the lockout
    # ends (on a polled pin: the next read), None when unlocked; _polled.
    debounce_ms = 50

    def _start(self, pin, state):
        self._lead = self.debounce_ms
        self._pin = pin
        self._hit = 0
        self._due = None
        self._state = state
        self._lock = None
        self._polled = not watch(pin, self._isr)
        if self._polled:
            self._lock = after(self.debounce_ms)
        self._plan()
        add(self)

    def _isr(self, _pin):
        self._hit = 1
        flag.set()

    def _edge(self, t):
        if self._lock is None:
            self._read(t)

    def _read(self, t):
        v = self._raw()
        if v != self._state:
            self._state = v
            self._lock = ticks_add(t, self.debounce_ms)
            self._changed(v, t)
        elif self._polled:
            self._lock = ticks_add(t, self.debounce_ms)
        self._plan()

    def _tick(self, t):
        if self._lock is not None and ticks_diff(t, self._lock) >= 0:
            self._lock = None
            self._read(t)
        self._timers(t)
        self._plan()

    def _next(self):
        return None

    def _timers(self, t):
        pass

    def _plan(self):
        self._due = earliest(self._lock, self._next())

    def deinit(self):
        unwatch(self._pin)
        drop(self)

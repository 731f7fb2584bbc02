# Pure-Python twin of the `_asyncio` C module (c_modules/_asyncio).
# Both must behave identically; the package picks the C one when present.
# What both offer, and how each encodes the state below and why the wait
# lists differ: c_modules/_asyncio/CONTRACT.md.
#
# Scheduler state (module globals, reset by init()):
#   _rhead/_rtail  ready FIFO, singly linked through Task._next; each entry
#                  carries the ticks it became ready in Task._key
#   _heap          root of the timer pairing heap, keyed by deadline ticks
#   _cur           task being resumed, None between steps
#   _main          task whose outcome the running loop returns (never reported)
#   _stepper       the _steps() generator run_one() resumes (set_main() makes it)
#
# Task state encoding:
#   _q     where the task is parked: None (running/done/new), _READY, _TIMED,
#          or a container: an Event/Lock/Task wait list (circular doubly
#          linked list whose head is the container's `_w`), or any object
#          with `_drop(task)` (I/O slots, gather)
#   _next/_prev  list links (ready FIFO, wait lists) or heap sibling/back
#          links (back link = parent for a first child, else left sibling)
#   _child first child in the timer heap
#   _key   deadline (timer heap) or ready stamp (ready FIFO), ticks_ms
#   _seq   insertion order in the timer heap, breaks deadline ties (FIFO)
#   _w     None, head of the list of tasks awaiting this task, or a callable
#          observer (gather, wait_for's _Within) told when the task finishes
#   _res   before DONE: None or a Lock that reserved itself for this task;
#          after DONE: the return value, or the exception if FAILED
#   _f     flag bits below
#   data   free for users while the task runs; set to its outcome (value or
#          exception) when it finishes; on a relay (coro None) the task to wake
#   _extra one object for the extras (names, done callbacks); a class
#          attribute (None) until set_task_extra() gives a task its own

from io import IOBase as _IOBase
from micropython import const
from time import ticks_diff as _ticks_diff, ticks_add as _ticks_add, ticks_ms as _ticks_ms

try:
    from errno import EAGAIN as _EAGAIN
except ImportError:  # (a port without errno: MicroPython's own number)
    _EAGAIN = 11

# The scheduler's clock; set_clock() swaps it for tests (ticks wrap-around).
_clock = _ticks_ms

CORE_ABI = 8

_MP_STREAM_POLL = const(3)
_MP_STREAM_POLL_RD = const(1)

_READY = const(1)
_TIMED = const(2)

_DONE = const(1)  # coroutine finished
_FAILED = const(2)  # ... by raising; _res is the exception
_SEEN = const(4)  # outcome delivered to someone; no "exception not retrieved" report
_THROW = const(8)  # cancelled: throw CancelledError at the next resume
_SUSPENDED = const(16)  # parked inside one of our awaitables; its next __next__ resumes it
_REQUEUE = const(32)  # in the ready FIFO: go to its back once more first (_Within)
# The bits from 256 up count cancel() requests not taken back by uncancel()
# (CPython's Task.cancelling()), up to 255, as in the C core's high byte.
_CANCELS = const(256)
_CANCELS_MAX = const(0xFF00)

# I/O operations a step may complete without waiting (io_wait(ready=True)),
# so a peer that keeps data coming cannot starve the other tasks.
_IO_BURST = const(16)
_credit = 0

# _ticks_add() refuses deltas of half the ticks period or more
_MAX_MS = _ticks_add(0, -1) // 2


def _stop(exc):
    # Preallocated StopIteration objects: forget the traceback the previous
    # raise attached, or it would grow with every raise.
    exc.__traceback__ = None
    return exc


_STOP_NONE = StopIteration()
_STOP_TRUE = StopIteration(True)


# Unfinished tasks, for heap_tasks(): a dict (task -> None), not a set, as
# MicroPython 1.25's set growth leaves a set corrupt when allocating its new
# table fails (a later lookup crashes); a dict allocates before it changes.
_live = {}


class Task:
    _extra = None
    _msg = None  # cancel(msg)'s message until it is thrown (instance attribute then)

    def __init__(self, coro):
        self.coro = coro
        self.data = None
        self._q = None
        self._next = None
        self._prev = None
        self._child = None
        self._key = 0
        self._seq = 0
        self._w = None
        self._res = None
        self._f = 0
        if coro is not None:
            _live[self] = None

    def done(self):
        return bool(self._f & _DONE)

    def cancel(self, msg=None):
        return _cancel(self, msg)

    def __iter__(self):
        return self

    # Awaiting a task: park the awaiting task on our wait list until we finish.
    def __next__(self):
        cur = _cur
        if self._f & _DONE:
            if cur is not None:
                cur._f &= ~_SUSPENDED
            self._f |= _SEEN
            if self._f & _FAILED:
                raise self._res
            raise StopIteration(self._res)
        if cur is None:
            raise RuntimeError("no running event loop")
        if self is cur:
            # (On its own wait list it would wait forever.)
            raise RuntimeError("Task cannot await on itself")
        _await_task(self, cur)
        cur._f |= _SUSPENDED


# ---- wait lists: circular, doubly linked, head in container._w ----


def _wl_push(c, t):
    h = c._w
    if h is None:
        t._next = t._prev = t
        c._w = t
    else:
        tail = h._prev
        t._prev = tail
        t._next = h
        tail._next = t
        h._prev = t
    t._q = c


# Observers: callables told when a task finishes (gather's, wait_for's).
# One with no awaiters beside it sits in _w and _finish() calls it at once.
# Otherwise each is an observer node in the wait list (a Task(None) with
# data = the observed task, _w = the observer), called in its turn, so
# awaiters and observers coexist, in the order they came.
def _observer_node(t, observer):
    n = Task(None)
    n.data = t
    n._w = observer
    return n


def _await_task(target, t):
    # Put t on target's wait list: an observer alone in _w becomes a node first.
    w = target._w
    if w is not None and type(w) is not Task:
        target._w = None
        _wl_push(target, _observer_node(target, w))
    _wl_push(target, t)


def _wl_unlink(c, t):
    n = t._next
    if n is t:
        c._w = None
    else:
        p = t._prev
        p._next = n
        n._prev = p
        if c._w is t:
            c._w = n
    t._next = t._prev = None
    t._q = None


# ---- ready FIFO ----


def _ready(t):
    global _rhead, _rtail
    t._q = _READY
    t._next = None
    t._key = _clock()
    if _rtail is None:
        _rhead = t
    else:
        _rtail._next = t
    _rtail = t


def _unready(t):
    # Take t out of the ready FIFO (an error path only: it walks the FIFO).
    global _rhead, _rtail
    p = None
    x = _rhead
    while x is not None and x is not t:
        p = x
        x = x._next
    if x is not None:
        if p is None:
            _rhead = t._next
        else:
            p._next = t._next
        if _rtail is t:
            _rtail = p
    t._next = None
    t._q = None


# ---- timer heap: pairing heap, stable for equal deadlines ----


def _earlier(a, b):
    d = _ticks_diff(a._key, b._key)
    return d < 0 or (d == 0 and (a._seq - b._seq) & 0xFFFF > 0x7FFF)


def _meld(a, b):
    if _earlier(b, a):
        a, b = b, a
    c = a._child
    b._next = c
    b._prev = a
    if c is not None:
        c._prev = b
    a._child = b
    return a


def _merge_children(n):
    # Two-pass pairing: meld neighbours left to right (stacking the results
    # through _next), then meld the stack into one tree.
    stack = None
    while n is not None:
        a = n
        b = a._next
        a._prev = None
        if b is None:
            n = None
        else:
            n = b._next
            b._prev = b._next = None
            a = _meld(a, b)
        a._next = stack
        stack = a
    if stack is None:
        return None
    root = stack
    stack = root._next
    root._next = None
    while stack is not None:
        s = stack
        stack = s._next
        s._next = None
        root = _meld(root, s)
    return root


def _timer_push(t, deadline):
    global _heap, _seq
    t._q = _TIMED
    t._key = deadline
    _seq = (_seq + 1) & 0xFFFF
    t._seq = _seq
    t._next = t._prev = t._child = None
    _heap = t if _heap is None else _meld(_heap, t)


def _timer_remove(t):
    global _heap
    sub = _merge_children(t._child)
    t._child = None
    if t is _heap:
        _heap = sub
    else:
        p = t._prev
        n = t._next
        if p._child is t:
            p._child = n
        else:
            p._next = n
        if n is not None:
            n._prev = p
        if sub is not None:
            _heap = _meld(_heap, sub)
    t._next = t._prev = None
    t._q = None


# ---- scheduler ----


def init(cancelled_error, report, timeout_error, create_task, io):
    # A fresh, empty scheduler; tasks of the previous one are abandoned.
    global \
        _rhead, \
        _rtail, \
        _heap, \
        _seq, \
        _cur, \
        _main, \
        _cancelled, \
        _report, \
        _timeout, \
        _create, \
        _io, \
        _io_park, \
        _gen, \
        _live, \
        _spare_cancel, \
        _clock
    _rhead = _rtail = _heap = _cur = _main = None
    _clock = _ticks_ms
    _seq = 0
    _cancelled = cancelled_error
    _report = report
    _timeout = timeout_error
    _create = create_task
    _io = io  # the package's I/O table (_kernel._IO): poller, slots, park()
    _io_park = io.park
    _spare_cancel = None  # for a cancellation when the heap is full (made by _cancel())
    _gen = object()  # identifies this scheduler for run_ready()
    _live = {}


def current():
    return _cur


def set_main(t):
    # (Called as a run starts and ends: a fresh _steps(), since an exception
    # that stops the loop, such as KeyboardInterrupt, ends the generator.)
    global _main, _stepper
    _main = t
    _stepper = _steps()
    next(_stepper)


def spawn(t):
    _ready(t)


def wake(t):
    # t was parked on a custom container that already forgot it.
    _ready(t)


def pause(q, awaitable=True):
    # Park the running task on a custom container q (it must have _drop()).
    # awaitable: the task comes back through resuming(); False for a bare
    # `yield` (upstream's core._io_queue protocol), which nothing checks.
    global _paused
    _paused = True
    cur = _cur
    cur._q = q
    if awaitable:
        cur._f |= _SUSPENDED


def resuming():
    # True once, when the running task comes back from pause().
    cur = _cur
    if cur._f & _SUSPENDED:
        cur._f &= ~_SUSPENDED
        if cur._q is not None:
            _misuse(cur)
        return True
    return False


def _unpark(t):
    # Take a parked task out of wherever it waits (_q becomes None).
    q = t._q
    if q == _TIMED:
        _timer_remove(t)
    elif q == _READY:
        _unready(t)
    elif q is not None:
        if hasattr(q, "_drop"):
            q._drop(t)
            t._q = None
        else:
            _wl_unlink(q, t)


def _misuse(cur):
    # Coming back while still parked: the loop did not resume this task,
    # something drove its coroutine with next()/send() and swallowed the
    # yield. Unpark it and say so; carrying on would queue it twice.
    _unpark(cur)
    raise RuntimeError("await outside the loop's control: a coroutine driven by next()/send()?")


def _wake_waiter(t):
    # Waiters go to the ready FIFO; a relay (see relay()) passes through it
    # once too, then wakes its owner, keeping upstream's wake-up order.
    _ready(t)


def _finish(t, value, failed):
    _live.pop(t, None)
    t._res = value
    t.data = value  # tutorial 7.9: a finished task's data is its outcome
    f = (t._f & ~(_SUSPENDED | _THROW)) | _DONE
    if failed:
        f |= _FAILED
    if t is _main:
        f |= _SEEN
    w = t._w
    t._w = None
    if w is None:
        t._f = f
        if failed and not f & _SEEN and not isinstance(value, _cancelled):
            # Nobody awaits it: report the exception at the next turn unless
            # someone retrieves it first.
            _ready(t)
    elif callable(w):
        t._f = f | _SEEN
        w(t)
    else:
        t._f = f | _SEEN
        while w is not None:
            n = w._next
            if n is w:
                n = None
            else:
                p = w._prev
                p._next = n
                n._prev = p
            w._next = w._prev = None
            w._q = None
            _wake_waiter(w)
            w = n


def run_one():
    # Resume the next runnable task: the earliest due timer when it fell due
    # no later than the head of the ready FIFO became ready, else that head.
    # Returns the task, or None when nothing is runnable now.
    # The step runs in a generator, _steps(): a generator's frame is made
    # once, while a function this size (a try, a dozen names) gets its frame
    # allocated on the heap and freed at every call (over 11 words), and
    # such holes make later allocations slower and slower until the next GC.
    return _stepper.send(_clock())


def _steps():
    global _rhead, _rtail, _heap, _cur, _credit
    t = None
    while True:
        now = yield t
        t = _heap
        h = _rhead
        if (
            t is not None
            and _ticks_diff(t._key, now) <= 0
            and (h is None or _ticks_diff(t._key, h._key) <= 0)
        ):
            _heap = _merge_children(t._child)
            t._child = None
            t._q = None
        elif h is not None:
            t = h
            _rhead = h._next
            if _rhead is None:
                _rtail = None
            t._next = None
            t._q = None
        else:
            t = None
            continue
        if t.coro is None:
            # A stop marker (data None), an observer node (_w the observer, data
            # the task that finished) or a relay (data = the task it wakes)
            owner = t.data
            if owner is not None and not t._f & _DONE:
                t._f |= _DONE
                if t._w is not None:
                    t._w(owner)
                elif owner._q == _TIMED:
                    _timer_remove(owner)
                    _ready(owner)
            continue
        f = t._f
        if f & _REQUEUE and not f & _THROW:
            # Woken by a _Within: one more pass through the FIFO, as a relay's
            # wake-up takes, so wait_for keeps upstream's wake-up order.
            t._f = f & ~_REQUEUE
            _ready(t)
            continue
        if f & _DONE:
            # Queued by _finish() for an unretrieved exception.
            if not f & _SEEN:
                t._f = f | _SEEN
                _report(t)
            continue
        if f & _THROW:
            e = _cancellation(t)
            t._f = f & ~(_THROW | _SUSPENDED | _REQUEUE)
            r = t._res
            if r is not None:
                t._res = None
                r._forfeit(t)
        _cur = t
        _credit = _IO_BURST
        try:
            if f & _THROW:
                t.coro.throw(e)
            else:
                t.coro.send(None)
        except StopIteration as e:
            _finish(t, e.value, False)
        except Exception as e:
            _finish(t, e, True)
        except BaseException as e:
            # (One class per clause: `except (A, B)` builds a tuple, and with
            # the heap full that would raise instead, losing the task.)
            # CancelledError; or KeyboardInterrupt, SystemExit...: these
            # stop the loop, and the task is done with it (its caller has
            # seen it: no report).
            stop = not isinstance(e, _cancelled)
            if stop:
                t._f |= _SEEN
            _finish(t, e, True)
            if stop:
                raise
        finally:
            _cur = None


def _cancellation(t):
    # The CancelledError to throw into t, made before the step changes
    # anything; with the heap too full to make one, the spare _cancel()
    # made (the task still unwinds, without cancel(msg)'s message).
    msg = t._msg
    if msg is not None:
        del t._msg
    try:
        return _cancelled() if msg is None else _cancelled(msg)
    except MemoryError:
        # (Not `e.__traceback__ = None` as for StopIteration: on an instance
        # of a Python class that stores a new attribute, which allocates.)
        return _spare_cancel


def run_ready(main, flags):
    # run_one() in a loop while no task waits for a stream: None when nothing
    # is runnable now, main once it finished (or its stop marker came up),
    # True when a task called pause(), init() replaced the scheduler, or one
    # of `flags` (the ThreadSafeFlags tasks wait on) is set.
    global _paused
    _paused = False
    gen = _gen
    while True:
        if flags:
            for f in flags:
                if f._flag:
                    return True
        t = run_one()
        if t is None:
            return None
        if t is main and (t.coro is None or t._f & _DONE):
            return main
        if _paused or gen is not _gen:
            return True


def next_due():
    # ms until something may run: 0 if ready, -1 if no task is queued.
    if _rhead is not None:
        return 0
    if _heap is None:
        return -1
    d = _ticks_diff(_heap._key, _clock())
    return d if d > 0 else 0


def ticks():
    # The clock every module of the package reads (see set_clock()).
    return _clock()


def result(t):
    # Outcome of a finished task for the caller of the loop.
    t._f |= _SEEN
    if t._f & _FAILED:
        raise t._res
    return t._res


def _count_cancel(t):
    if t._f < _CANCELS_MAX:
        t._f += _CANCELS


def _cancel(t, msg=None):
    global _spare_cancel
    if t._f & _DONE:
        return False
    if t is _cur:
        raise RuntimeError("can't cancel self")
    if _spare_cancel is None:
        # Made at the first cancel (which may still fail: nothing changed
        # yet), for a throw that finds the heap full (_cancellation()).
        _spare_cancel = _cancelled()
    # A task awaiting another task is cancelled through the awaited one.
    # Tasks awaiting each other in a cycle (a deadlock) end the walk where
    # it comes round again: `slow` follows at half speed until met.
    # Each task on the way counts a cancel request, as CPython's does when
    # it passes the cancel on to the task it awaits.
    slow = t
    half = False
    q = t._q
    _count_cancel(t)
    while type(q) is Task and q is not _cur and not q._f & _DONE:
        t = q
        q = t._q
        if t is slow:
            break
        _count_cancel(t)
        if half:
            slow = slow._q
        half = not half
    if t._f & _THROW:
        return True  # (the first cancel's message stands, as in CPython)
    if msg is not None:
        t._msg = msg
    if q != _READY:
        _unpark(t)
        _ready(t)
    t._f |= _THROW
    return True


def watch(t, observer):
    # Register observer(t) for t's completion (gather). False if t is done.
    if t._f & _DONE:
        return False
    if t._w is None:
        t._w = observer
    else:
        _await_task(t, _observer_node(t, observer))
    return True


def unwatch(t, observer):
    w = t._w
    if w is observer:
        t._w = None
    elif type(w) is Task:
        n = w
        while True:
            if n.coro is None and n._w is observer:
                _wl_unlink(t, n)
                n._f |= _DONE
                return
            n = n._next
            if n is w:
                return


def outcome(t):
    # (failed, value) of a finished task, marking it retrieved.
    t._f |= _SEEN
    return bool(t._f & _FAILED), t._res


def failed(t):
    # Whether t finished by raising; allocation-free, for observers (they
    # run as a task finishes, where a MemoryError would lose the news).
    return bool(t._f & _FAILED)


def relay(target):
    # Wake the running task out of its timed sleep when target finishes.
    r = Task(None)
    r.data = _cur
    _await_task(target, r)
    return r


def unrelay(r):
    # Cancel a relay that has not fired; one in the ready FIFO is ignored.
    q = r._q
    if type(q) is Task:
        _wl_unlink(q, r)
    r._f |= _DONE


# ---- hooks for the extras (frozen/asyncio/_hooks.py); not on the hot path ----


def extend_task(find):
    # find("Task", name) gives a Task attribute the core lacks (a function,
    # bound to the task), find("Task", None) their names. Here they are set
    # on the class at once: a __getattr__ would slow every attribute of every
    # task (MicroPython then looks for descriptors at each access), and the
    # VM would take its AttributeError for throw or close as an error.
    try:
        for name in find("Task", None):
            setattr(Task, name, find("Task", name))
    except AttributeError:
        pass  # (an image without their tier)
    return True


def task_extra(t):
    return t._extra


def set_task_extra(t, obj):
    t._extra = obj


def cancel_count(t, delta):
    # The count of cancel requests after adding delta (0 reads it, -1 is
    # CPython's uncancel(), never below 0).
    n = min(max((t._f >> 8) + delta, 0), 255)
    t._f = (t._f & 0xFF) | n << 8
    return n


def eager(t):
    # Run the first step of the new task t now, inside the running task's
    # step, which it interrupts (CPython 3.12's eager tasks); t is then
    # done, or parked where its first await put it.
    global _cur
    if type(t) is not Task or t._q is not None or t._f & (_DONE | _SUSPENDED):
        raise TypeError("eager() needs a new Task")
    prev = _cur
    _cur = t
    try:
        t.coro.send(None)
    except StopIteration as e:
        _finish(t, e.value, False)
    except Exception as e:
        _finish(t, e, True)
    except BaseException as e:
        stop = not isinstance(e, _cancelled)
        if stop:
            t._f |= _SEEN
        _finish(t, e, True)
        if stop:
            raise
    finally:
        _cur = prev
    return t


def parked(t):
    # Where t waits, for the call-graph dump: (q, ms until due or None).
    q = None if t._f & _DONE else t._q
    return q, (_ticks_diff(t._key, _clock()) if q == _TIMED else None)


def wait_on(t, w):
    # Park the not-yet-started task w on t's wait list, as if it awaited t.
    _await_task(t, w)


def wake_first(t):
    # t runs next: its ready stamp lies half the longest sleep back, so even
    # timers that are already due wait behind it.
    global _rhead, _rtail
    t._q = _READY
    t._key = _ticks_add(_clock(), -(_MAX_MS // 2))
    t._next = _rhead
    if _rtail is None:
        _rtail = t
    _rhead = t


def heap_tasks():
    # The C core reads the GC heap; without it, unfinished tasks are kept
    # in _live (so one abandoned before it finished stays there until
    # init() starts a fresh scheduler).
    return list(_live)


def set_clock(fn):
    # Tests only: read fn() instead of time.ticks_ms() until None is set or
    # init() starts a fresh scheduler.
    global _clock
    _clock = _ticks_ms if fn is None else fn


# ---- awaitables that never allocate ----


class _Sleep:
    # _ms: requested duration, or -1 once the awaiting task has parked
    def __init__(self):
        self._ms = -1

    def __iter__(self):
        return self

    def __next__(self):
        cur = _cur
        if cur._f & _SUSPENDED:
            cur._f &= ~_SUSPENDED
            if cur._q is not None:
                _misuse(cur)
            raise _stop(_STOP_NONE)
        ms = self._ms
        self._ms = -1
        if ms <= 0:
            _ready(cur)
        else:
            _timer_push(cur, _ticks_add(_clock(), ms))
        cur._f |= _SUSPENDED


_sleeper = _Sleep()


def sleep_ms(ms):
    if type(ms) is not int:
        raise TypeError("sleep_ms() needs an int number of milliseconds")
    if ms > _MAX_MS:
        raise OverflowError("sleep_ms() duration too long")
    s = _sleeper
    if s._ms >= 0:
        # The shared sleeper is armed but not awaited yet (sleeps collected
        # for gather() and the like): hand out a private one.
        s = _Sleep()
    s._ms = ms if ms > 0 else 0
    return s


def sleep_ms_detach(s):
    # The duration of an armed sleeper, disarming it; None for other objects.
    if type(s) is not _Sleep:
        return None
    ms = s._ms
    s._ms = -1
    return ms


class Event:
    # _set: bool; _w: head of the list of waiting tasks
    def __init__(self):
        self._set = False
        self._w = None

    def is_set(self):
        return self._set

    def set(self):
        self._set = True
        while self._w is not None:
            t = self._w
            _wl_unlink(self, t)
            _wake_waiter(t)

    def clear(self):
        self._set = False

    def wait(self):
        # A subclass may override __iter__ and `await super().wait()` in it
        # (Hinch's Message): it gets the plain Event iterator, as from C.
        return self if type(self) is Event else _EventWait(self)

    def __iter__(self):
        return self

    def __next__(self):
        cur = _cur
        if cur._f & _SUSPENDED:
            cur._f &= ~_SUSPENDED
            if cur._q is not None:
                _misuse(cur)
            raise _stop(_STOP_TRUE)
        if self._set:
            raise _stop(_STOP_TRUE)
        _wl_push(self, cur)
        cur._f |= _SUSPENDED


class ThreadSafeFlag(_IOBase):
    # _flag: 0 clear, 1 set. set() is a single int store: it neither
    # allocates nor touches scheduler state, so IRQs and threads may call
    # it; the loop learns of it by polling the flag as a stream.
    def __init__(self):
        self._flag = 0

    def ioctl(self, req, arg):
        if req == _MP_STREAM_POLL:
            return arg & _MP_STREAM_POLL_RD if self._flag else 0
        return -1

    def set(self):
        self._flag = 1

    def clear(self):
        self._flag = 0

    def is_set(self):
        return self._flag == 1

    def __iter__(self):
        return self

    wait = __iter__  # the flag is its own awaitable

    def __next__(self):
        if resuming() or self._flag:
            self._flag = 0
            raise StopIteration
        _io_park(self, False)


class _EventWait:
    def __init__(self, e):
        self.e = e

    def __iter__(self):
        return self

    def __next__(self):
        return Event.__next__(self.e)


class Lock:
    # _owner: 0 unlocked, 1 locked, or the waiting Task that release() handed
    #         the lock to and which has not resumed yet (nobody may barge in)
    # _w: head of the list of waiting tasks
    def __init__(self):
        self._owner = 0
        self._w = None

    def locked(self):
        # False while being handed to a waiter that has not resumed, as in
        # CPython and upstream's tests/extmod/asyncio_lock.py; nobody can
        # barge in meanwhile all the same.
        return self._owner == 1

    def acquire(self):
        return self

    def release(self):
        if self._owner != 1:
            raise RuntimeError("Lock not acquired")
        t = self._w
        if t is None:
            self._owner = 0
        else:
            _wl_unlink(self, t)
            self._owner = t
            t._res = self
            _ready(t)

    def _forfeit(self, t):
        # t was handed the lock but is being cancelled: pass it on.
        self._owner = 1
        self.release()

    def __iter__(self):
        return self

    def __next__(self):
        cur = _cur
        if cur._f & _SUSPENDED:
            cur._f &= ~_SUSPENDED
            if cur._q is not None:
                _misuse(cur)
            cur._res = None
            self._owner = 1
            raise _stop(_STOP_TRUE)
        if self._owner == 0:
            self._owner = 1
            raise _stop(_STOP_TRUE)
        _wl_push(self, cur)
        cur._f |= _SUSPENDED

    def __aenter__(self):
        return self

    def __aexit__(self, exc_type, exc, tb):
        self.release()
        return _AT_ONCE


# ---- wait_for() on an awaitable that is not a Task yet ----

# _Within.stage
_W_NEW = const(0)  # task: the awaitable; owner: timeout (ms or None)
_W_TIMING = const(1)  # owner sleeps for the timeout; we observe task
_W_AWAITING = const(2)  # owner waits on task's wait list (no timeout)
_W_CANCELLING = const(3)  # timed out: owner waits for the cancelled task
_W_OVER = const(4)


class _Within:
    # One object instead of a generator plus a relay task: the awaitable's
    # Task is private, so this is its observer and wakes the owner directly.
    def __init__(self, aw, ms):
        self.task = aw
        self.owner = ms
        self.stage = _W_NEW

    def __iter__(self):
        return self

    def _deliver(self, a):
        self.stage = _W_OVER
        a._f |= _SEEN
        if a._f & _FAILED:
            raise a._res
        raise StopIteration(a._res)

    def __next__(self):
        cur = _cur
        if cur is None:
            raise RuntimeError("no running event loop")
        if self.stage == _W_NEW:
            # The Task is made here, not in wait_for(), so it starts when
            # the caller awaits, as a wait_for coroutine would make it.
            timeout = self.owner
            a = self.task = _create(self.task)
            self.owner = cur
            if timeout is None:
                self.stage = _W_AWAITING
                _await_task(a, cur)
            else:
                self.stage = _W_TIMING
                watch(a, self)
                if timeout <= 0:
                    _ready(cur)
                else:
                    _timer_push(cur, _ticks_add(_clock(), timeout))
            cur._f |= _SUSPENDED
            return
        if self.stage == _W_OVER:
            raise RuntimeError("wait_for() awaited twice")
        cur._f &= ~_SUSPENDED
        a = self.task
        if self.stage == _W_TIMING:
            if a._f & _DONE:
                self._deliver(a)
            # Timed out: cancel the task and wait until it has unwound.
            unwatch(a, self)
            _cancel(a)
            self.stage = _W_CANCELLING
            _await_task(a, cur)
            cur._f |= _SUSPENDED
            return
        if self.stage == _W_AWAITING:
            self._deliver(a)
        self.stage = _W_OVER
        a._f |= _SEEN
        raise _timeout

    def throw(self, typ, val=None, tb=None):
        # The owner was cancelled while it slept for the timeout: cancel the
        # awaitable's task too and let the CancelledError go on.
        if self.stage == _W_TIMING:
            self.stage = _W_OVER
            unwatch(self.task, self)
            _cancel(self.task)
        raise typ if val is None else val

    def __call__(self, t):
        # Observer call from the task's _finish(): wake the owner.
        owner = self.owner
        if self.stage == _W_TIMING and owner._q == _TIMED:
            _timer_remove(owner)
            owner._f |= _REQUEUE
            _ready(owner)


def within(aw, ms):
    if ms is not None and ms > _MAX_MS:
        raise OverflowError("wait_for() timeout too long")
    return _Within(aw, ms)


class _IOWait:
    # io_wait()'s awaitable: _s what to park on (None: the back of the
    # ready FIFO), _w writing; _armed while handed out and not yet awaited
    def __init__(self):
        self._armed = False

    def __iter__(self):
        return self

    def __next__(self):
        cur = _cur
        if cur._f & _SUSPENDED:
            cur._f &= ~_SUSPENDED
            if cur._q is not None:
                _misuse(cur)
            raise _stop(_STOP_NONE)
        self._armed = False  # free again before park() can raise
        s = self._s
        self._s = None
        if s is None:
            _ready(cur)
            cur._f |= _SUSPENDED
        else:
            _io_park(s, self._w)


_iowaiter = _IOWait()


def io_wait(s, writing, ready=False):
    # The awaitable for one wait of a stream: park the task until the
    # package's poller finds s readable (writable), or with s None until
    # the loop's next turn. ready: the caller's last non-blocking try found
    # data, so try again without waiting, while the step has credit left.
    global _credit
    if ready and _credit > 0:
        _credit -= 1
        return ()  # (awaiting an empty tuple completes at once, with no call)
    w = _iowaiter
    if w._armed:
        w = _IOWait()  # the shared one is handed out and not awaited yet
    w._armed = True
    w._s = s
    w._w = writing
    return w


_ONE_ARG = object()  # IOCall's _b when fn takes one argument after s


class IOCall:
    # The awaitable of one direction of a socket (CONTRACT.md); _fn is None
    # while not armed.
    def __init__(self, s, writing):
        self._s = s
        self._w = writing
        self._fn = None

    def arm(self, fn, a, b=_ONE_ARG):
        c = self
        if c._fn is not None:
            slot = _io.slots.get(id(c._s))
            if slot is not None and (slot.writer if c._w else slot.reader) is not None:
                raise RuntimeError("another task waits on this socket")
            c = IOCall(c._s, c._w)  # handed out and not done with: one of its own
        c._fn = fn
        c._a = a
        c._b = b
        return c

    def throw(self, e, *rest):
        # A task cancelled while it waited: disarmed for the next call.
        self._fn = None
        raise e

    def __iter__(self):
        return self

    def __next__(self):
        if self._fn is None:
            raise RuntimeError("socket operation awaited twice")
        global _credit
        cur = _cur
        if cur._f & _SUSPENDED:
            cur._f &= ~_SUSPENDED
            if cur._q is not None:
                _misuse(cur)
        elif _credit > 0:
            _credit -= 1
        else:
            _ready(cur)  # a turn for the others first (see io_wait)
            cur._f |= _SUSPENDED
            return
        got = self._try()
        if got is None:
            _io_park(self._s, self._w)
            return
        self._fn = None
        raise StopIteration(got)

    def _try(self):
        # The operation's result, None if it would block. (Its own frame:
        # the try would put __next__'s on the heap, see _IO.park.)
        try:
            if self._b is _ONE_ARG:
                return self._fn(self._s, self._a)
            return self._fn(self._s, self._a, self._b)
        except OSError as e:
            if e.errno != _EAGAIN:
                self._fn = None
                raise


# select.POLLIN / POLLOUT
_POLL_READ = const(1)
_POLL_WRITE = const(4)


def io_poll(ms, wake):
    # Wait up to ms (-1: until one is) for the streams in the I/O table to
    # be ready, and wake their tasks with wake(task). A stream written in
    # Python (an io.IOBase with ioctl(): a timer, a software UART...) says it
    # is ready only when asked, and no interrupt follows. Ports whose poll
    # sleeps until an interrupt or its timeout (rp2: poll(-1) waits in WFE,
    # a timeout in one alarm) must ask it again every ms, as the unix port
    # does by itself: `soft` counts such streams.
    if _io.soft and not 0 <= ms <= 1:
        ms = 1
    for event in _io.poller.ipoll(ms):
        _on(event, wake)


def _on(event, wake):
    # Any event other than "writable" (data, hangup, error) wakes the
    # reader; anything but "readable" wakes the writer.
    io = _io
    s, ev = event
    slot = io.slots.get(id(s))
    if slot is None:
        return  # a flag: the table's wake_flags() sees it
    if slot.reader is None and slot.writer is None:
        # A kept socket nobody waits on: stop polling it, or every poll
        # would report it again at once.
        io.forget(slot)
        return
    t = slot.reader
    if t is not None and ev & ~_POLL_WRITE:
        slot.reader = None
        wake(t)
    t = slot.writer
    if t is not None and ev & ~_POLL_READ:
        slot.writer = None
        wake(t)
    if slot.reader is None and slot.writer is None:
        io.active -= 1
        if not slot.keep:
            io.forget(slot)  # (what update() would do, one call fewer)
            return
    io.update(slot)


class _Done:
    # Awaitable that completes at once without suspending.
    def __iter__(self):
        return self

    def __next__(self):
        raise _stop(_STOP_NONE)


_AT_ONCE = _Done()

# loop.call_soon_threadsafe() and asyncio.run_coroutine_threadsafe()
# (CPython): another thread hands work to the loop. Calls wait in an inbox;
# a ThreadSafeFlag (the bell) wakes one private task on the loop, the
# porter, which makes them in the order they came. These calls allocate and
# take a lock: from an interrupt handler set a ThreadSafeFlag instead.
#
# The porter starts when the loop's own code calls get_running_loop() (on
# ports with threads), as CPython code does to get the loop it hands to a
# thread; or else at the first call, through micropython.schedule(), so
# that on a port without a GIL (RP2040) the main thread, not the caller,
# touches the scheduler. Until the porter waits on the bell nothing can
# wake a sleeping loop: a first call that had to start it is seen when the
# loop next wakes (at once if it is running tasks or idle, at its next
# timer if it sleeps toward one). A waiting porter makes the unix port's
# blocking waits poll in 1 ms steps, as any ThreadSafeFlag wait does there.

from micropython import const, schedule
from time import ticks_diff, sleep_ms
import sys

from . import _kernel
from ._kernel import _core, CancelledError, TimeoutError, create_task
from ._callbacks import Handle, call_soon
from ._hooks import private_task
from ._sync import ThreadSafeFlag

try:
    from _thread import allocate_lock, get_ident
except ImportError:
    allocate_lock = get_ident = None


class _OneThread:
    # The lock of a port without threads: the only other code that can run
    # is a scheduled callback, between bytecodes, and a list operation is
    # one bytecode.
    def __enter__(self):
        pass

    def __exit__(self, *exc):
        pass


# _guard: the lock over _inbox and over the futures' state changes
_guard = allocate_lock() if allocate_lock else _OneThread()
_inbox = []
_bell = ThreadSafeFlag()
_porter = None  # the porter task,
_porter_io = None  # the kernel state it was started in (new_event_loop() drops both),
_loop_thread = None  # and the thread it runs on
_arming = False  # a schedule()d _arm() has not run yet


def _porter_alive():
    return _porter is not None and _porter_io is _kernel._io and not _porter.done()


def _arm(_):
    global _arming
    _arming = False
    arm()


def arm(on_loop_thread=False):
    # Start the porter if it is not running (from the loop's thread, or with
    # the GIL held: it adds a task to the scheduler).
    global _porter, _porter_io, _loop_thread
    if on_loop_thread:
        _loop_thread = get_ident()  # (the porter confirms it when it runs)
    if not _porter_alive():
        _porter_io = _kernel._io
        _porter = private_task(_serve())
        _core.spawn(_porter)


async def _serve():
    global _loop_thread
    if allocate_lock:
        _loop_thread = get_ident()
    while True:
        while True:
            with _guard:
                if not _inbox:
                    break
                h = _inbox.pop(0)
            if not h._cancelled:
                h._run()
        # (A call made since the inbox was found empty has set the bell.)
        await _bell.wait()


def call_soon_threadsafe(cb, *args, context=None):
    # (loop.call_soon_threadsafe: the registry makes it a method of the loop)
    return post(cb, args)


def post(cb, args):
    global _arming
    if _loop_thread is not None and get_ident() == _loop_thread and _core.current() is not None:
        # Called by the running loop's own code: the plain way keeps
        # first-in-first-out order with its call_soon()s, as in CPython.
        return call_soon(cb, *args)
    h = Handle(cb, args)
    if not _arming and not _porter_alive():
        _arming = True
        try:
            schedule(_arm, None)
        except BaseException:
            _arming = False
            raise  # (the scheduler's queue is full: nothing was queued)
    with _guard:
        _inbox.append(h)
    _bell.set()
    return h


_PENDING = const(0)
_FINISHED = const(1)
_FAILED = const(2)
_CANCELLED = const(3)


class ConcurrentFuture:
    # What run_coroutine_threadsafe() returns: CPython's
    # concurrent.futures.Future, for the thread that waits. It settles
    # once: with the coroutine's outcome, or cancelled by cancel().
    # _done: a lock held until it settles, so result() can block on it
    # (MicroPython's lock has no timeout: a timeout polls it every ms).
    def __init__(self):
        self._state = _PENDING
        self._value = None
        self._task = None
        self._callbacks = []
        self._done = None
        if allocate_lock:
            self._done = allocate_lock()
            self._done.acquire()

    def done(self):
        return self._state != _PENDING

    def cancelled(self):
        return self._state == _CANCELLED

    def running(self):
        return self._state == _PENDING and self._task is not None

    def cancel(self):
        # Settles at once, as in CPython; the task is cancelled on the loop.
        if not self._settle(_CANCELLED, CancelledError()):
            return self._state == _CANCELLED
        post(_cancel_task, (self,))
        return True

    def result(self, timeout=None):
        self._wait(timeout)
        if self._state == _FINISHED:
            return self._value
        raise self._value

    def exception(self, timeout=None):
        self._wait(timeout)
        if self._state == _CANCELLED:
            raise self._value
        return self._value if self._state == _FAILED else None

    def add_done_callback(self, fn):
        with _guard:
            if self._state == _PENDING:
                self._callbacks.append(fn)
                return
        _call(fn, self)

    def _wait(self, timeout):
        if self._state != _PENDING:
            return
        if self._done is None or get_ident() == _loop_thread:
            raise RuntimeError(
                "result() would wait forever: the loop that must finish it runs on this thread"
            )
        if timeout is None:
            self._done.acquire()
        else:
            ms = int(timeout * 1000)
            start = _core.ticks()
            while not self._done.acquire(0):
                if ticks_diff(_core.ticks(), start) >= ms:
                    raise TimeoutError
                sleep_ms(1)
        self._done.release()  # (for the next thread waiting)

    def _settle(self, state, value):
        # The first settle wins; False if the future had settled already.
        with _guard:
            if self._state != _PENDING:
                return False
            self._state = state
            self._value = value
            callbacks = self._callbacks
            self._callbacks = None
        if self._done is not None:
            self._done.release()
        for fn in callbacks:
            _call(fn, self)
        return True


def _call(fn, f):
    # A failing done callback is reported; the others still run (CPython).
    try:
        fn(f)
    except Exception as e:
        print("exception calling callback for", f, file=sys.stderr)
        sys.print_exception(e, sys.stderr)


def run_coroutine_threadsafe(coro, loop=None):
    # (loop: accepted for CPython code; MicroPython has one loop.)
    if not hasattr(coro, "send"):
        # What create_task() takes: a sleep()'s shared awaitable (its
        # duration taken now), our other awaitables, Futures.
        ms = _core.sleep_ms_detach(coro)
        if ms is not None:
            coro = _kernel._sleep_for(ms)
        elif not hasattr(coro, "__next__") and not hasattr(coro, "_asyncio_future_blocking"):
            raise TypeError(
                "run_coroutine_threadsafe() needs a coroutine, got %s" % type(coro).__name__
            )
    f = ConcurrentFuture()
    post(_start, (coro, f))
    return f


def _start(coro, f):
    if f._state != _PENDING:
        coro.close()  # cancelled before the loop got to it
    else:
        f._task = create_task(_drive(coro, f))


def _cancel_task(f):
    t = f._task
    if t is not None and not t.done():
        t.cancel()


async def _drive(coro, f):
    try:
        value = await coro
    except CancelledError as e:
        f._settle(_CANCELLED, e)
        raise
    except Exception as e:
        # Handed to the future, where CPython retrieves it too: no "Task
        # exception wasn't retrieved" report.
        f._settle(_FAILED, e)
        return
    except BaseException as e:
        f._settle(_FAILED, e)
        raise
    f._settle(_FINISHED, value)

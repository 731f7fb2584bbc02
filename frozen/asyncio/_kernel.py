# The event loop proper: picks the core (our C `_asyncio` or the Python
# twin), runs tasks, waits for timers and stream I/O, reports exceptions.

from micropython import const
from time import ticks_add, sleep_ms as _block_ms

try:
    import _asyncio as _core

    # Upstream MicroPython ships a different `_asyncio`; only ours has the
    # ABI number (c_modules/_asyncio/CONTRACT.md).
    if getattr(_core, "CORE_ABI", None) != 8:
        raise ImportError
except ImportError:
    from . import _fallback as _core

Task = _core.Task
_Flag = _core.ThreadSafeFlag


class CancelledError(BaseException):
    pass


class TimeoutError(Exception):
    pass


# The longest timer the package sets: a quarter of the ticks period (about
# 3.1 days on ports with 31-bit small ints); longer delays are slept in
# steps. Timers order by ticks_diff(), which holds within half a period, so
# a new timer still sorts right against one up to a quarter period overdue.
MAX_MS = ticks_add(0, -1) // 4
del ticks_add  # (one global fewer: the module's table stays a size smaller)

# How long an idle loop waits before looking again when nothing can wake it
# except code outside the loop (IRQ, scheduler callback, another thread).
_IDLE_MS = const(2)

# Streams written in Python subclass io.IOBase (none on ports without it).
try:
    from io import IOBase as _IOBase
except ImportError:
    _IOBase = ()

# select.POLLIN / POLLOUT (MP_STREAM_POLL_RD / _WR).
# const() with a leading underscore: inlined, no global or name in flash.
_POLL_READ = const(1)
_POLL_WRITE = const(4)

# Sockets nobody waits on that stay registered (see _IOSlot.keep): past
# this many, all are dropped, so streams a program drops unclosed are not
# kept from the collector. (The C core's IO_MAX_IDLE.)
_MAX_IDLE = const(8)


def _new_poller(slots=()):
    # (`select` is imported on the first stream wait, so ports without it
    # still schedule.) slots: streams the new poller watches at once.
    import select

    p = select.poll()
    for slot in slots:
        p.register(slot.s, slot.mask)
    return p


def _register(s, mask):
    # The current loop's poller watches s. (A function of two arguments, so
    # its frame with the try fits in 11 words; see _IO.)
    try:
        _io.poller.register(s, mask)
    except Exception:
        # MicroPython's poll keeps a half-made entry for a stream it failed
        # to register, which crashes later calls (unregister too): use a
        # fresh poller.
        _io.poller = _new_poller(_io.slots.values())
        raise


class _IOSlot:
    # Tasks waiting on one stream: at most one reader and one writer.
    # `mask` is the POLL mask currently registered for the stream; `soft`
    # whether the stream is written in Python (see _IO.poll). `keep`: a
    # socket, which stays registered, mask unchanged, when its last waiter
    # leaves, so a connection that waits for the same thing again and again
    # (a server reading request after request) costs nothing in the poller
    # per wait. Should the poller report it while nobody waits (its data
    # came early, it is writable, hung up or closed), the loop drops it then.
    soft = False
    keep = False

    def __init__(self):
        self.s = None
        self.reader = None
        self.writer = None
        self.mask = 0

    def _drop(self, t):
        # t, waiting here, is cancelled. (One task never waits as both, so
        # `reader is writer` means that both are None.) A slot of a table
        # new_event_loop() replaced is no concern of the current one.
        if self.reader is t:
            self.reader = None
        else:
            self.writer = None
        if _io.slots.get(id(self.s)) is self:
            if self.reader is self.writer:
                _io.active -= 1
            _io.update(self)


class _IO:
    # The tasks waiting on streams and flags, and how the loop learns they
    # are ready.
    # Streams: select.poll over all streams with a waiting task, keyed by
    # id(stream); a freed slot is kept for the next park(). `soft`: how
    # many of them are written in Python (see the core's io_poll()).
    # ThreadSafeFlags: a list the core looks at between steps (run_ready)
    # and this loop hands to the poller only while it blocks. Polled between
    # steps, a flag would cost a system call per step, and on unix 1 ms (the
    # port polls objects that are not file descriptors in 1 ms sleeps).
    # `active`: how many slots have a waiting task (the loop polls while
    # any has); the others are kept sockets, at most _MAX_IDLE of them.
    # (Counts are made here, so counting never grows the dict; the class's
    # own table is kept at 12 names, the size its table has room for.)

    def __init__(self):
        self.active = 0
        self.soft = 0
        self.poller = None
        self.slots = {}
        self.spare = None
        self.flags = []  # flags with a waiting task, and in step with it,
        self.flag_tasks = []  # those tasks

    # park() and wait() run on every stream wait, so they are kept to
    # 11 words of frame (arguments, locals, stack, 3 per try): MicroPython
    # puts a bigger frame on the heap, allocated and freed on every call,
    # and those holes slow each later allocation down until the next GC.
    def park(self, s, writing, awaitable=True):
        # (s then becomes what the task parks in: this object for a flag,
        # the stream's slot otherwise; one name fewer in the frame.)
        t = _core.current()
        if type(s) is _Flag:
            if s in self.flags:
                raise RuntimeError("ThreadSafeFlag already has a task waiting")
            self.flags.append(s)
            self.flag_tasks.append(t)
            s = self  # cancelling the task calls _drop(t)
        else:
            s = self.slots.get(id(s)) or self._watch(s, writing)
            if s.reader is s.writer:  # (both None)
                self.active += 1
            if writing:
                if s.writer is not None:
                    raise RuntimeError("stream already has a task waiting to write")
                s.writer = t
            else:
                if s.reader is not None:
                    raise RuntimeError("stream already has a task waiting to read")
                s.reader = t
            self.update(s)  # (nothing to do for a new slot)
        _core.pause(s, awaitable)

    def _watch(self, s, writing):
        # The stream's first waiter: register it, first, so nothing changes
        # if s cannot be polled.
        mask = _POLL_WRITE if writing else _POLL_READ
        if self.poller is None:
            self.poller = _new_poller()
        _register(s, mask)
        slot = self.spare or _IOSlot()
        self.spare = None
        slot.s = s
        slot.mask = mask
        if isinstance(s, _IOBase):
            slot.soft = True
            self.soft += 1
        else:
            # A socket of the port's own module is kept: polled after it was
            # closed it reports POLLNVAL (unix: the fd; lwIP, esp32: the
            # socket's state), never an error. (By name: no global to hold
            # its type, one more would grow the module's table.)
            slot.keep = type(s).__name__ == "socket"
        self.slots[id(s)] = slot
        return slot

    def _drop(self, t):
        # t, waiting on a flag, is cancelled.
        i = self.flag_tasks.index(t)
        del self.flags[i]
        del self.flag_tasks[i]

    def update(self, slot):
        # The slot's waiters changed: poll for what they wait for.
        mask = (_POLL_READ if slot.reader else 0) | (_POLL_WRITE if slot.writer else 0)
        if mask == slot.mask:
            return
        if mask:
            self.poller.modify(slot.s, mask)
            slot.mask = mask
        elif not slot.keep:
            self.forget(slot)
        elif len(self.slots) - self.active > _MAX_IDLE:
            self.drop()

    def forget(self, slot):
        # Nobody waits on slot's stream: stop polling it and keep the slot
        # for the next park() (one allocation fewer per wait).
        del self.slots[id(slot.s)]
        self.poller.unregister(slot.s)
        if slot.soft:
            slot.soft = False
            self.soft -= 1
        slot.s = None
        slot.mask = 0
        slot.keep = False
        self.spare = slot

    def drop(self, s=None):
        # Close s, a stream the loop may poll: out of the poller first (its
        # fd may be reused at once). A task still waiting wakes with the
        # error the closed stream gives; its slot goes when it leaves.
        # With no s: stop polling every kept socket nobody waits on.
        if s is None:
            for slot in list(self.slots.values()):
                if slot.reader is slot.writer:  # (both None)
                    self.forget(slot)
            return
        slot = self.slots.get(id(s))
        if slot is not None:
            if slot.reader is not slot.writer:
                # Its waiters wake now and find their stream closed (a
                # closed socket's fd may be another's before they run).
                for t in (slot.reader, slot.writer):
                    if t is not None:
                        io_wake(t)
                slot.reader = slot.writer = None
                self.active -= 1
            self.forget(slot)
        s.close()

    def wait(self, ms):
        # Wake the tasks whose stream or flag is ready, waiting up to ms
        # (-1: until one is) if none is yet.
        if not self.flags:
            io_poll(ms, io_wake)
        elif self.wake_flags() or not ms:
            if self.active:
                io_poll(0, io_wake)
        else:
            self._block(ms)

    def _block(self, ms):
        # Flags are waited on and none is set: the poller watches them too,
        # for this wait only.
        flags = self.flags
        if self.poller is None:
            self.poller = _new_poller()
        for f in flags:
            self.poller.register(f, _POLL_READ)
        try:
            io_poll(ms, io_wake)
        finally:
            for f in flags:
                self.poller.unregister(f)
        self.wake_flags()

    def wake_flags(self):
        # Wake the tasks whose flag is set (each clears it as it resumes).
        flags = self.flags
        woke = False
        i = 0
        while i < len(flags):
            if flags[i].is_set():
                del flags[i]
                io_wake(self.flag_tasks.pop(i))
                woke = True
            else:
                i += 1
        return woke


# How a task whose stream became ready is woken: to the back of the ready
# queue, or to its front in fast-I/O mode (asyncio.fast_io() swaps this).
io_wake = _core.wake

# Poll the streams in _io for up to ms and wake their tasks (the core's).
io_poll = _core.io_poll


# The package's registry (set by __init__): resolve(where, name) gives
# the object registered as `name` of the package (""), "Loop" or "Task",
# loading its module on first use. The kernel reaches the layers above
# only through it.
resolve = None


def more(obj, cls, name, static=False):
    # For __getattr__ of the package's classes (Loop, Stream, Server): a
    # method of cls from the registry, loaded on first use, then kept on
    # the class.
    fn = resolve(cls.__name__, name)
    if fn is None:
        raise AttributeError("'%s' object has no attribute '%s'" % (cls.__name__, name))
    setattr(cls, name, staticmethod(fn) if static else fn)
    return getattr(obj, name)


_handler = None


def call_handler(context):
    # As in CPython, reporting never ends the loop: a handler that raises is
    # reported through the default handler (the loop's method, which code
    # may replace), and a default handler that fails (a heap too full to
    # print) is given up on. (The loop object loads on the first report.)
    try:
        loop = resolve("", "get_event_loop")()
        if _handler is not None:
            try:
                _handler(loop, context)
                return
            except BaseException as e:
                # (Not `except (KeyboardInterrupt, SystemExit)`: that builds a
                # tuple, which a full heap turns into a MemoryError.)
                if isinstance(e, KeyboardInterrupt) or isinstance(e, SystemExit):
                    raise
                context = {
                    "message": "Unhandled error in exception handler",
                    "exception": e,
                    "context": context,
                }
        loop.default_exception_handler(context)
    except MemoryError:
        pass


def _report(t):
    # A fresh context per report (the error path may allocate): a handler
    # may keep it, and reports never overwrite each other.
    try:
        context = {
            "message": "Task exception wasn't retrieved",
            "exception": _core.outcome(t)[1],
            "future": t,
        }
    except MemoryError:
        return  # no room to say it
    call_handler(context)


async def _await(aw):
    return await aw


async def _sleep_for(ms, result=None):
    # Beyond one timer's reach (or inf, CPython's "forever"): in steps.
    if ms != ms:
        # NaN: as CPython 3.13 (3.11 and 3.12 wait forever).
        raise ValueError("Invalid delay: NaN (not a number)")
    while ms > MAX_MS:
        await _core.sleep_ms(MAX_MS)
        ms -= MAX_MS
    await _core.sleep_ms(int(ms))
    return result


def create_task(coro, name=None, eager_start=None):
    # The common case only: a small frame (MicroPython puts a bigger one on
    # the heap at every call), the rest in make_task(). With a task factory
    # set, loop.set_task_factory() rebinds create_task in the package's
    # modules instead: no test for it here.
    if eager_start or not hasattr(coro, "send"):
        return make_task(coro, name, eager_start)
    t = Task(coro)
    _core.spawn(t)
    if name is not None:
        t.set_name(name)  # (a Task method of the CPython-compatible extras)
    return t


def make_task(coro, name=None, eager_start=None):
    # The task create_task() makes without a factory (a factory calls this).
    if not hasattr(coro, "send"):
        ms = _core.sleep_ms_detach(coro)
        if ms is not None:
            # A sleep_ms()/sleep() awaitable: shared, so take its duration now.
            coro = _sleep_for(ms)
        elif hasattr(coro, "__next__") or hasattr(coro, "_asyncio_future_blocking"):
            # Our allocation-free awaitables (Event.wait(), Lock.acquire(),
            # ...) and Futures (CPython's marker attribute)
            coro = _await(coro)
        else:
            # (MicroPython names an uncalled async function's type "generator")
            got = "a function: call it" if callable(coro) else type(coro).__name__
            raise TypeError("create_task() needs a coroutine, got %s" % got)
    t = Task(coro)
    if name is not None:
        t.set_name(name)
    if eager_start and _core.current() is not None:
        # CPython 3.12: the first step runs now; queued only if it waits.
        return _core.eager(t)
    _core.spawn(t)
    return t


# `data` of the private tasks the extras run (loop and done callbacks,
# timers, pumps): all_tasks() leaves them out, and code in a callback runs
# outside any task, as in CPython (current_task() is None there).
PRIVATE = []


def current_task():
    t = _core.current()
    if t is None:
        raise RuntimeError("no running event loop")
    return None if t.data is PRIVATE else t


def promote(aw):
    return aw if isinstance(aw, Task) else create_task(aw)


# The scheduler's two entry points the loop calls: debug mode
# (loop.set_debug()) swaps in timed ones, so with it off the loop does no
# extra work at all. (And _block_ms, how it sleeps until its next timer,
# is swapped by asyncio.low_power().)
run_one = _core.run_one
run_ready = _core.run_ready


def run_until_complete(main=None):
    # Run until `main` (a Task, or a stop marker) finishes; with no main,
    # until no task can ever run again.
    if main is not None and (main.coro is not None and main.done()):
        return _core.result(main)
    _core.set_main(main)
    polled = False
    try:
        while True:
            if _io.active:
                # Streams are polled between steps (not again right after
                # the wait below polled them).
                if polled:
                    polled = False
                elif _io.flags:
                    _io.wait(0)
                else:
                    io_poll(0, io_wake)
                t = run_one()
            else:
                # Without streams to poll between steps the core runs tasks
                # back to back; it returns True when one starts I/O or a
                # flag a task waits on is set (woken here, then).
                if _io.flags:
                    _io.wake_flags()
                t = run_ready(main, _io.flags)
            if t is not None:
                if t is main and (main.coro is None or main.done()):
                    return None if main.coro is None else _core.result(main)
                continue
            ms = _core.next_due()
            waiting = _io.active or _io.flags
            if ms < 0 and not waiting:
                if main is None:
                    return None
                ms = _IDLE_MS
            if _io.flags:
                _io.wait(ms)
                polled = True
            elif waiting:
                io_poll(ms, io_wake)
                polled = True
            elif ms:
                _block_ms(ms)  # nothing to poll: block until the next timer
    finally:
        _core.set_main(None)
        _io.drop()  # kept sockets: the program may drop its streams now


def run(coro, debug=None):
    if _core.current() is not None:
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    if debug is None:
        return run_until_complete(create_task(coro))
    # (CPython's run() makes a loop for the call: the setting ends with it.)
    loop = resolve("", "get_event_loop")()
    was = loop.get_debug()
    loop.set_debug(debug)
    try:
        return run_until_complete(create_task(coro))
    finally:
        loop.set_debug(was)


def new_loop_state():
    # A fresh scheduler: no tasks, no timers, no streams being polled,
    # debug mode off.
    global _io, run_one, run_ready
    _io = _IO()
    run_one = _core.run_one
    run_ready = _core.run_ready
    _core.init(CancelledError, _report, TimeoutError, create_task, _io)


new_loop_state()


# The core's own function: no Python frame on the hottest call.
sleep_ms = _core.sleep_ms


def sleep(t, result=None):
    if type(t) is not int and type(t) is not float:
        raise TypeError("sleep() needs a number of seconds")
    ms = t * 1000
    if result is None and ms <= MAX_MS:
        return _core.sleep_ms(int(ms))
    return _sleep_for(ms, result)

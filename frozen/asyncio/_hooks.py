# Extension points the extras need from the core (C `_asyncio` or its
# Python twin), kept in one place so the core itself stays untouched:
#   task_extra(t)   per-task record for names and done callbacks (or None)
#   extend_task(d)  add methods (name -> function) to Task
#   wake_first(t)   make a parked task the next one to run (fast I/O)
#   wait_on(t, w)   park task w (not started yet) on t's wait list, as if
#                   it awaited t: woken with t's other awaiters, in order
# The Python twin's Task is a plain class, so these work on it directly;
# a C core offers them as `task_extra`/`set_task_extra`, `extend_task` and
# `wake_first` (the names are the contract with c_modules/_asyncio).

from time import ticks_ms, ticks_add

from ._kernel import _core

MAX_MS = ticks_add(0, -1) // 2


class TaskExtra:
    # name: from set_name() (None: default "Task-<n>" on first get_name())
    # callbacks: list of done callbacks, or None
    # watcher: task that runs the callbacks once the task finishes, or None
    def __init__(self):
        self.name = None
        self.callbacks = None
        self.watcher = None


if hasattr(_core, "extend_task"):
    _get = _core.task_extra
    _set = _core.set_task_extra
    extend_task = _core.extend_task
    wake_first = _core.wake_first
    wait_on = _core.wait_on
elif hasattr(_core, "_rhead"):
    # The Python twin: the record is an instance attribute, methods are
    # class attributes, and the ready FIFO is the module's _rhead/_rtail.

    def _get(t):
        return getattr(t, "_x", None)

    def _set(t, x):
        t._x = x

    def extend_task(methods):
        for name in methods:
            setattr(_core.Task, name, methods[name])
        return True

    def wait_on(t, w):
        if t._w is not None and callable(t._w):
            raise RuntimeError("can't wait")
        _core._wl_push(t, w)

    def wake_first(t):
        t._q = _core.READY
        # A stamp half a period back: even timers already due wait behind it.
        t._key = ticks_add(ticks_ms(), -(MAX_MS // 2))
        t._next = _core._rhead
        if _core._rtail is None:
            _core._rtail = t
        _core._rhead = t

else:
    # A C core without the hooks: the rest of the extras still work; what
    # needs a hook says so when used. Task methods are simply not attached.
    def _missing(name):
        def fail(*args):
            raise NotImplementedError("asyncio: this needs the %s() hook of the _asyncio C core; it is missing from this image's core" % name)

        return fail

    _get = lambda t: None
    _set = _missing("set_task_extra")
    wake_first = None  # fast_io() checks
    wait_on = _missing("wait_on")

    def extend_task(methods):
        return False


def task_extra(t, create=False):
    x = _get(t)
    if x is None and create:
        x = TaskExtra()
        _set(t, x)
    return x

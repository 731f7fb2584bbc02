# Extension points the extras need from the core. Both cores (C `_asyncio`
# and its Python twin `_fallback`) offer the same functions, so this module
# only adds the per-task record on top:
#   task_extra(t), set_task_extra(t, obj)  one object slot per task
#   extend_task(d)  Task attributes the core lacks come from d (or from
#                   the dict the callable d returns), bound
#   wake_first(t)   make a parked task the next one to run (fast I/O)
#   wait_on(t, w)   park task w (not started yet) on t's wait list, as if
#                   it awaited t: woken with t's other awaiters, in order

from ._kernel import _core, PRIVATE


extend_task = _core.extend_task
wake_first = _core.wake_first
wait_on = _core.wait_on


class TaskExtra:
    # name: from set_name() (None: default "Task-<n>" on first get_name())
    # callbacks: list of done callbacks not called yet, or None
    def __init__(self):
        self.name = None
        self.callbacks = None


def private_task(coro):
    # A task of the extras' own machinery (callbacks, timers, pumps):
    # all_tasks() leaves it out, current_task() is None inside it.
    t = _core.Task(coro)
    t.data = PRIVATE
    return t


def task_extra(t, create=False):
    x = _core.task_extra(t)
    if x is None and create:
        x = TaskExtra()
        _core.set_task_extra(t, x)
    return x

# Task factories (CPython 3.12): loop.set_task_factory(), and
# eager_task_factory, whose tasks run their first step at once, inside
# create_task(), and are queued only if that step waits (a task that
# finishes without waiting costs no trip through the scheduler).

from . import _kernel


def set_task_factory(factory):
    # factory(loop, coro, **kw) makes the task for create_task(), or None.
    if factory is not None and not callable(factory):
        raise TypeError("task factory must be a callable or None")
    _kernel.task_factory = factory


def get_task_factory():
    return _kernel.task_factory


def create_eager_task_factory(custom_task_constructor=None):
    # (Our tasks are the core's: no other Task class to construct.)
    def factory(loop, coro, *, name=None, context=None, eager_start=True):
        return _kernel.make_task(coro, name, eager_start)

    return factory


eager_task_factory = create_eager_task_factory()

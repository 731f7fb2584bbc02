# Task factories (CPython 3.12): loop.set_task_factory(), and
# eager_task_factory, whose tasks run their first step at once, inside
# create_task(), and are queued only if that step waits (a task that
# finishes without waiting costs no trip through the scheduler).
#
# With a factory set, create_task is rebound in every module of the package
# (and the package itself) to the factory's version below, and put back
# when it is cleared: the plain create_task() tests nothing for factories.

import sys

from . import _kernel
from ._kernel import _core

_factory = None
_plain = _kernel.create_task  # (nothing rebinds it before this module loads)


def set_task_factory(factory):
    # factory(loop, coro, **kw) makes the task for create_task(), or None.
    global _factory
    if factory is not None and not callable(factory):
        raise TypeError("task factory must be a callable or None")
    _factory = factory
    if factory is None:
        _rebind(_plain)
    elif factory is eager_task_factory:
        _rebind(_create_eager)
    else:
        _rebind(_create_via_factory)


def get_task_factory():
    return _factory


def _rebind(new):
    ours = (_plain, _create_eager, _create_via_factory)
    for name in list(sys.modules):
        if name == "asyncio" or name.startswith("asyncio."):
            m = sys.modules[name]
            if getattr(m, "create_task", None) in ours:
                setattr(m, "create_task", new)


def _create_via_factory(coro, name=None, eager_start=None):
    from ._loop import loop

    if eager_start is None:  # (the factory's own default stands)
        return _factory(loop, coro, name=name)
    return _factory(loop, coro, name=name, eager_start=eager_start)


def _create_eager(coro, name=None, eager_start=None):
    # eager_task_factory without the call through it (nor through make_task()
    # in the common case: a coroutine, inside a running loop)
    if eager_start is False or not hasattr(coro, "send") or _core.current() is None:
        return _kernel.make_task(coro, name, eager_start is not False)
    t = _core.Task(coro)
    if name is not None:
        t.set_name(name)
    return _core.eager(t)


def create_eager_task_factory(custom_task_constructor=None):
    # (Our tasks are the core's: no other Task class to construct.)
    def factory(loop, coro, *, name=None, context=None, eager_start=True):
        return _kernel.make_task(coro, name, eager_start)

    return factory


eager_task_factory = create_eager_task_factory()

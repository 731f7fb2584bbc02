# all_tasks(). The core keeps no list of tasks (a task parked on an Event
# is reachable only from that Event), so this module keeps one from the
# moment it is loaded: all_tasks() sees the tasks created after
# `asyncio.all_tasks` was first looked up (do `from asyncio import
# all_tasks` early), plus the running task. Finished tasks are dropped
# whenever the registry has doubled since the last sweep, so it holds at
# most about twice the number of live tasks.

from . import _kernel
from ._kernel import _core

_tasks = set()
_sweep_at = 16


def _sweep():
    global _tasks, _sweep_at
    _tasks = set(t for t in _tasks if not t.done())
    _sweep_at = max(16, 2 * len(_tasks))


def _track(t):
    _tasks.add(t)
    if len(_tasks) >= _sweep_at:
        _sweep()


def all_tasks(loop=None):
    _sweep()
    out = set(_tasks)
    cur = _core.current()
    if cur is not None:
        out.add(cur)
    return out


_kernel.on_create = _track

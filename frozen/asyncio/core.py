# asyncio.core: the names code written for upstream MicroPython's asyncio
# reaches for in its `core` module. micropython-lib's aioespnow, for one,
# parks on a pollable object with `yield asyncio.core._io_queue.queue_read(o)`.
# Anything else is looked up in the package (core.sleep_ms, core.Task...).

from . import _kernel
from ._kernel import _core, current_task

ticks = _core.ticks  # upstream's core.ticks, on the package's one clock


class _IOQueue:
    # queue_read(o) / queue_write(o): the running task waits until o polls
    # readable / writable, once its caller does a bare `yield`.
    def queue_read(self, s):
        _park(s, False)

    def queue_write(self, s):
        _park(s, True)


def _park(s, writing):
    current_task()  # outside a task: RuntimeError before anything is registered
    # The bare `yield` that follows is not one of our awaitables: no mark
    # for one to check when the task resumes.
    _kernel._io.park(s, writing, False)


_io_queue = _IOQueue()


def __getattr__(name):
    if name == "cur_task":
        return _core.current()
    # The package's names: the kernel's, or the registry's.
    value = getattr(_kernel, name, None)
    if value is None:
        value = _kernel.resolve("", name)
        if value is None:
            raise AttributeError("module 'asyncio.core' has no attribute '%s'" % name)
    return value

# all_tasks(): the unfinished tasks (the running one is one of them), but
# not the private tasks the extras run (_kernel.PRIVATE).
#
# The core keeps no list of tasks for this (a task parked on an Event is
# reachable only from that Event): our C core finds them on the heap after
# a garbage collection, so no task pays for all_tasks(); the pure-Python
# core keeps a set of its unfinished tasks (_fallback.heap_tasks()).

from . import _kernel
from ._kernel import _core


def all_tasks(loop=None):
    return set(t for t in _core.heap_tasks() if t.data is not _kernel.PRIVATE)

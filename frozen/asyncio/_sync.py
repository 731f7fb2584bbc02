# Synchronisation primitives. Event and Lock live in the core (C or its
# Python twin) so their hand-off allocates nothing; ThreadSafeFlag is a
# pollable stream so it can be set from outside the loop.

import io
from micropython import const

from . import _kernel
from ._kernel import _core

Event = _core.Event
Lock = _core.Lock

_MP_STREAM_POLL = const(3)
_MP_STREAM_POLL_RD = const(1)


class ThreadSafeFlag(io.IOBase):
    # _flag: 0 clear, 1 set. set() is a single int store: it neither
    # allocates nor touches scheduler state, so IRQs and threads may call it.
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
        if _core.resuming() or self._flag:
            self._flag = 0
            raise StopIteration
        _kernel._io.park(self, False)

# RingbufQueue: a queue whose storage is fixed at construction (a ring
# buffer over a list or a caller's array), for scheduler-context producers
# and consumers. Like the tutorial's: put_nowait() on a full queue
# overwrites the oldest item and raises IndexError, so a producer that
# ignores the error keeps the newest data.
#
# State: the Ring's storage and indices; _getters/_putters WaitQueues of
# tasks waiting for an item / for room.

from ._waitq import WaitQueue
from ._kernel import CancelledError, _core

_EMPTY = IndexError("RingbufQueue is empty")


class Ring:
    # Fixed storage shared by RingbufQueue and ThreadSafeQueue: _buf with one
    # spare slot (full and empty must differ), _wi next slot to write, _ri
    # next slot to read. A single producer moves only _wi and a single
    # consumer only _ri, which is what makes ThreadSafeQueue IRQ-safe.
    def __init__(self, buf):
        # buf: capacity (int), or a list/array to use as storage (its
        # length minus one items fit)
        self._buf = [None] * (buf + 1) if type(buf) is int else buf
        if len(self._buf) < 2:
            raise ValueError(type(self).__name__ + " needs room for at least one item")
        self._wi = 0
        self._ri = 0

    def full(self):
        return (self._wi + 1) % len(self._buf) == self._ri

    def empty(self):
        return self._wi == self._ri

    def qsize(self):
        return (self._wi - self._ri) % len(self._buf)

    def _take(self, empty_error):
        if self._wi == self._ri:
            raise empty_error
        buf = self._buf
        item = buf[self._ri]
        if type(buf) is list:
            buf[self._ri] = None  # don't keep the item alive
        self._ri = (self._ri + 1) % len(buf)
        return item


class RingbufQueue(Ring):
    def __init__(self, buf):
        super().__init__(buf)
        self._getters = WaitQueue()
        self._putters = WaitQueue()

    def put_nowait(self, item):
        buf = self._buf
        buf[self._wi] = item
        self._wi = (self._wi + 1) % len(buf)
        self._getters.wake_one()
        if self._wi == self._ri:
            # Full: the oldest item is overwritten.
            self._ri = (self._ri + 1) % len(buf)
            raise IndexError("RingbufQueue full: oldest item overwritten")

    def get_nowait(self):
        item = self._take(_EMPTY)
        self._putters.wake_one()
        return item

    async def put(self, item):
        while self.full():
            await _wait(self._putters)
        self.put_nowait(item)

    async def get(self):
        while self.empty():
            await _wait(self._getters)
        return self.get_nowait()

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self.get()


async def _wait(q):
    cur = _core.current()
    try:
        await q.park()
    except CancelledError:
        if q.was_woken(cur):
            q.wake_one()
        raise
    q.was_woken(cur)

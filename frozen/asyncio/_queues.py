# Queue, LifoQueue, PriorityQueue (CPython's API).
#
# State: _items the stored items (a list: FIFO pops the front, LIFO the
# back, Priority keeps a heap); _getters/_putters WaitQueues of tasks
# waiting for an item / for room; _unfinished items put but not yet marked
# task_done(); _all_done Event set while _unfinished is 0 (join()).
# A woken waiter re-checks: a task that took the item or room first simply
# sends it back to wait, as in CPython. _shut: shutdown() was called (3.13):
# puts refuse, gets drain what is left then refuse, waiters are woken.

from ._kernel import CancelledError, _core
from ._waitq import WaitQueue


class QueueEmpty(Exception):
    pass


class QueueFull(Exception):
    pass


class QueueShutDown(Exception):
    pass


class Queue:
    def __init__(self, maxsize=0):
        if type(maxsize) is not int:
            raise TypeError("maxsize must be an int")
        self.maxsize = maxsize
        self._items = []
        self._getters = WaitQueue()
        self._putters = WaitQueue()
        self._unfinished = 0
        self._all_done = _core.Event()
        self._all_done.set()
        self._shut = False

    # Storage discipline; LifoQueue and PriorityQueue override these two.
    def _store(self, item):
        self._items.append(item)

    def _take(self):
        return self._items.pop(0)

    def qsize(self):
        return len(self._items)

    def empty(self):
        return not self._items

    def full(self):
        return 0 < self.maxsize <= len(self._items)

    def put_nowait(self, item):
        if self._shut:
            raise QueueShutDown
        if self.full():
            raise QueueFull
        self._store(item)
        self._unfinished += 1
        self._all_done.clear()
        self._getters.wake_one()

    def get_nowait(self):
        if not self._items:
            raise QueueShutDown if self._shut else QueueEmpty
        item = self._take()
        self._putters.wake_one()
        return item

    async def put(self, item):
        while self.full() and not self._shut:
            await _wait_turn(self._putters, self.full)
        self.put_nowait(item)

    async def get(self):
        while not self._items and not self._shut:
            await _wait_turn(self._getters, self.empty)
        return self.get_nowait()

    def task_done(self):
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if not self._unfinished:
            self._all_done.set()

    def shutdown(self, immediate=False):
        # immediate: drop what is queued (counted as done for join()).
        self._shut = True
        if immediate:
            n = len(self._items)
            self._items.clear()
            self._unfinished = max(0, self._unfinished - n)
            if not self._unfinished:
                self._all_done.set()
        self._getters.wake_all()
        self._putters.wake_all()

    async def join(self):
        if self._unfinished:
            await self._all_done.wait()


async def _wait_turn(q, still_blocked):
    cur = _core.current()
    try:
        await q.park()
    except CancelledError:
        # Woken for an item/room but cancelled: let the next waiter have it.
        if q.was_woken(cur) and not still_blocked():
            q.wake_one()
        raise
    q.was_woken(cur)


class LifoQueue(Queue):
    def _take(self):
        return self._items.pop()


class PriorityQueue(Queue):
    # _items is a binary min-heap (smallest item first, like heapq)
    def _store(self, item):
        h = self._items
        h.append(item)
        i = len(h) - 1
        while i:
            parent = (i - 1) >> 1
            if not h[i] < h[parent]:
                break
            h[i], h[parent] = h[parent], h[i]
            i = parent

    def _take(self):
        h = self._items
        last = h.pop()
        if not h:
            return last
        top = h[0]
        h[0] = last
        n = len(h)
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and h[c + 1] < h[c]:
                c += 1
            if not h[c] < h[i]:
                break
            h[i], h[c] = h[c], h[i]
            i = c
        return top

# Primitives that code outside the loop (hard IRQs, scheduler callbacks,
# other threads) may signal: ThreadSafeEvent (many waiters) and
# ThreadSafeQueue. Their outside-facing methods only store into fields and
# preallocated slots and set a ThreadSafeFlag: no allocation, no scheduler
# state touched.

from ._kernel import _core
from ._hooks import private_task
from ._sync import ThreadSafeFlag
from ._ringq import Ring

_FULL = IndexError("ThreadSafeQueue is full")
_EMPTY = IndexError("ThreadSafeQueue is empty")


class ThreadSafeEvent:
    # _set: 0/1, what is_set() reports; _flag: ThreadSafeFlag set() raises
    # for the loop; _evt: core Event the waiters park on; _pump: task that
    # turns the flag into _evt.set(), alive only while someone waits;
    # _waiting: number of tasks inside wait()
    def __init__(self):
        self._set = 0
        self._flag = ThreadSafeFlag()
        self._evt = _core.Event()
        self._pump = None
        self._waiting = 0

    def set(self):
        self._set = 1
        self._flag.set()

    def is_set(self):
        return self._set == 1

    def clear(self):
        self._set = 0
        self._flag.clear()
        self._evt.clear()

    async def wait(self):
        if self._set:
            return True
        if self._pump is None:
            self._pump = private_task(self._run())
            _core.spawn(self._pump)
        self._waiting += 1
        try:
            await self._evt.wait()
        finally:
            self._waiting -= 1
            p = self._pump
            if not self._waiting and p is not None and p is not _core.current():
                # Nobody waits any more: don't leave the pump parked.
                self._pump = None
                p.cancel()
        return True

    async def _run(self):
        while not self._set:
            await self._flag.wait()
        self._pump = None
        self._evt.set()


class ThreadSafeQueue(Ring):
    # Storage fixed at construction. put_nowait() may run in an IRQ: it
    # raises a preallocated IndexError when full. One task may wait in
    # get() and one in put() at a time (each waits on a ThreadSafeFlag).
    # State: the Ring's storage and indices; _got_item and _got_room flags.
    def __init__(self, buf):
        super().__init__(buf)
        self._got_item = ThreadSafeFlag()
        self._got_room = ThreadSafeFlag()

    def put_nowait(self, item):
        nxt = (self._wi + 1) % len(self._buf)
        if nxt == self._ri:
            raise _FULL
        self._buf[self._wi] = item
        self._wi = nxt
        self._got_item.set()

    def get_nowait(self):
        item = self._take(_EMPTY)
        self._got_room.set()
        return item

    # The tutorial's names for code outside the loop. block=True spins
    # until there is an item / room: only for another thread or core,
    # never in an IRQ (the loop it waits for can't run meanwhile).
    def get_sync(self, block=False):
        while block and self.empty():
            pass
        return self.get_nowait()

    def put_sync(self, item, block=False):
        while block and self.full():
            pass
        self.put_nowait(item)

    async def put(self, item):
        while self.full():
            await self._got_room.wait()
        self.put_nowait(item)

    async def get(self):
        while self.empty():
            await self._got_item.wait()
        return self.get_nowait()

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self.get()

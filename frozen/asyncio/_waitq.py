# FIFO of parked tasks for the Python-level primitives (Semaphore, Queue,
# Condition, Barrier...). The core's Event/Lock link tasks through fields
# only the core sees; here the tasks sit in a ring buffer that grows when
# full and never shrinks, so parking allocates nothing once it has reached
# its peak size.
#
# State: _buf ring of tasks (None in free slots), _head index of the oldest,
# _n number parked; handed: tasks woken by wake_one() that have not resumed
# yet (a woken task cancelled before it resumes must pass its turn on).

from ._kernel import _core


class WaitQueue:
    def __init__(self):
        self._buf = [None, None]
        self._head = 0
        self._n = 0
        self.handed = []
        # Give `handed` its minimum capacity now: it never shrinks below it.
        self.handed.append(None)
        self.handed.pop()

    def __len__(self):
        return self._n

    def _push(self, t):
        buf = self._buf
        size = len(buf)
        if self._n == size:
            # Unroll the ring into a buffer twice as big.
            h = self._head
            self._buf = buf = buf[h:] + buf[:h] + [None] * size
            self._head = 0
            size += size
        buf[(self._head + self._n) % size] = t
        self._n += 1

    def _pop(self):
        buf = self._buf
        t = buf[self._head]
        buf[self._head] = None
        self._head = (self._head + 1) % len(buf)
        self._n -= 1
        return t

    def _drop(self, t):
        # The core cancels a task parked here: close the gap it leaves.
        buf = self._buf
        size = len(buf)
        i = 0
        while i < self._n and buf[(self._head + i) % size] is not t:
            i += 1
        if i == self._n:
            return
        while i < self._n - 1:
            buf[(self._head + i) % size] = buf[(self._head + i + 1) % size]
            i += 1
        buf[(self._head + i) % size] = None
        self._n -= 1

    def wake_one(self):
        # Wake the oldest parked task; False when none is parked.
        if not self._n:
            return False
        t = self._pop()
        self.handed.append(t)
        _core.wake(t)
        return True

    def wake_all(self):
        while self.wake_one():
            pass

    def was_woken(self, t):
        # Called by t after it resumed (normally or cancelled): True if
        # wake_one() woke it, which a cancelled t must pass on.
        h = self.handed
        for i in range(len(h)):
            if h[i] is t:
                h.pop(i)
                return True
        return False

    def park(self):
        # `await q.park()`: suspend the running task here until woken.
        p = _parker
        p.q = self
        return p


class _Park:
    # Shared awaitable: the task parks as soon as it is created and awaited.
    def __init__(self):
        self.q = None

    def __iter__(self):
        return self

    def __next__(self):
        if _core.resuming():
            raise StopIteration
        q = self.q
        self.q = None
        q._push(_core.current())
        _core.pause(q)


_parker = _Park()

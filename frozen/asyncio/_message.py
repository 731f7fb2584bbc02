# Message: a ThreadSafeEvent that carries a payload (the tutorial's
# Message). set(data) may run in an IRQ; any number of tasks may wait.
#   await msg            -> waits until set, gives the payload
#   msg.value()          -> the last payload
#   async for data in msg: each payload; the message is cleared for the next

from ._threadsafe import ThreadSafeEvent


class Message(ThreadSafeEvent):
    # The payload of the latest set() (None before the first).
    _payload = None

    def set(self, data=None):
        self._payload = data  # first: a woken waiter reads it
        ThreadSafeEvent.set(self)

    def value(self):
        return self._payload

    def __await__(self):
        # `await msg`: wait until set, giving the payload
        yield from self.wait()
        return self._payload

    __iter__ = __await__  # (MicroPython awaits through __iter__)

    def __aiter__(self):
        return self

    async def __anext__(self):
        # Each payload once: cleared for the next set().
        await self.wait()
        self.clear()
        return self._payload

# Message: a ThreadSafeEvent that carries a payload (the tutorial's
# Message). set(data) may run in an IRQ; any number of tasks may wait.
#   await msg            -> waits until set, gives the payload
#   msg.value()          -> the last payload
#   async for data in msg: each payload; the message is cleared for the next

from ._threadsafe import ThreadSafeEvent


class Message(ThreadSafeEvent):
    # _data: the payload of the last set()
    def __init__(self):
        super().__init__()
        self._data = None

    def set(self, data=None):
        self._data = data
        super().set()

    def value(self):
        return self._data

    def __iter__(self):
        yield from self.wait()
        return self._data

    __await__ = __iter__

    def __aiter__(self):
        return self

    async def __anext__(self):
        await self.wait()
        self.clear()
        return self._data

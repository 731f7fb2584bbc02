# Awaitable pin edges, our MicroPython extra:
#   await asyncio.pin_event(pin, trigger)  -> the pin's value after its next
#                                             edge (IRQ set up and removed)
#   pe = asyncio.PinEvent(pin, trigger)    -> the IRQ stays
#   await pe.wait()                        -> returns once an edge came since the
#                                             last wait() returned; allocates nothing
#   pe.edges()                             -> edges since the last call
#   async for n in pe                      -> n: edges since the last step (>= 1)
#   pe.close()                             -> the pin's IRQ removed
# trigger: the pin's IRQ_RISING / IRQ_FALLING bits (default both). The IRQ
# handler only counts and sets a ThreadSafeFlag (hard IRQ where the port
# has them), so an edge before the await is not lost, and the waiting task
# runs at the loop's next step (see the README for the latency).
from ._sync import ThreadSafeFlag

_WRAP = 0x3FFFFFFF  # the count stays a small int: the IRQ never allocates


class PinEvent:
    # _edges: counted by the IRQ (wrapping); _taken: edges handed out
    def __init__(self, pin, trigger=None):
        self.pin = pin
        self._flag = ThreadSafeFlag()
        self._edges = self._taken = 0
        if trigger is None:
            trigger = pin.IRQ_RISING | pin.IRQ_FALLING
        try:
            pin.irq(self._isr, trigger, hard=True)
        except TypeError:  # a port (or a test double) without hard IRQs
            pin.irq(self._isr, trigger)

    def _isr(self, _pin):
        self._edges = (self._edges + 1) & _WRAP
        self._flag.set()

    def wait(self):
        return self._flag.wait()

    def edges(self):
        n = (self._edges - self._taken) & _WRAP
        self._taken = (self._taken + n) & _WRAP
        return n

    def __aiter__(self):
        return self

    async def __anext__(self):
        while True:
            n = self.edges()
            if n:
                return n
            await self._flag.wait()

    def close(self):
        self.pin.irq(None)


async def pin_event(pin, trigger=None):
    pe = PinEvent(pin, trigger)
    try:
        await pe.wait()
    finally:
        pe.close()
    return pin.value()

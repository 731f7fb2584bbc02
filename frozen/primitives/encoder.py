# Encoder: a quadrature encoder (control knob) as the tutorial's. Both
# pins' IRQs run a state table in the IRQ itself, so the count is right
# however busy the loop is; the loop only turns the count into the
# virtual value (div, vmin/vmax, mod) `delay` ms after motion, runs the
# callback and wakes `async for`.
from asyncio import ThreadSafeFlag

from ._hub import add, after, drop, flag, unwatch, watch

# Index (previous AB << 2) | new AB; 1 + step: 0 back, 1 none, 2 forward;
# 3 both pins changed at once (a step was missed: direction unknown).
_STEP = b"\x01\x02\x00\x03\x00\x01\x03\x02\x02\x03\x01\x00\x03\x00\x02\x01"


class Encoder:
    # _vx/_vy the pins' value methods; _ab last AB seen by the IRQ; _pos
    # count of steps (IRQ side); _seen _pos when last turned into _v;
    # _rem steps not yet a whole div; _v virtual value; illegal: transitions
    # with both pins changed (ignored); _moved ThreadSafeFlag for async for
    def __init__(
        self,
        pin_x,
        pin_y,
        v=0,
        div=1,
        vmin=None,
        vmax=None,
        mod=None,
        callback=lambda a, b: None,
        args=(),
        delay=100,
    ):
        if (vmin is not None and v < vmin) or (vmax is not None and v > vmax):
            raise ValueError("Encoder: initial value out of bounds")
        self._px = pin_x
        self._py = pin_y
        self._vx = pin_x.value
        self._vy = pin_y.value
        self._ab = (self._vx() << 1) | self._vy()
        self._pos = self._seen = self._rem = 0
        self.illegal = 0
        self._v = v
        self._div = div
        self._vmin = vmin
        self._vmax = vmax
        self._mod = mod
        self._cb = callback
        self._args = args
        self._delay = self._lead = delay
        self._moved = ThreadSafeFlag()
        self._hit = 0
        self._due = None
        isr = self._isr
        watch(pin_x, isr)
        watch(pin_y, isr)
        add(self)

    def _isr(self, _pin):
        ab = (self._vx() << 1) | self._vy()
        d = _STEP[(self._ab << 2) | ab]
        self._ab = ab
        if d == 3:
            self.illegal += 1
        else:
            self._pos += d - 1
        self._hit = 1
        flag.set()

    def _edge(self, t):
        if self._due is None:
            self._due = after(self._delay)

    def _tick(self, t):
        pos = self._pos
        n = self._rem + pos - self._seen
        self._seen = pos
        div = self._div
        steps = n // div if n >= 0 else -(-n // div)
        self._rem = n - steps * div
        v = self._v + steps
        if self._vmin is not None and v < self._vmin:
            v = self._vmin
        if self._vmax is not None and v > self._vmax:
            v = self._vmax
        if self._mod:
            v %= self._mod
        delta = v - self._v
        if delta:
            self._v = v
            self._cb(v, delta, *self._args)
            self._moved.set()

    def value(self):
        return self._v

    def __aiter__(self):
        return self

    async def __anext__(self):
        await self._moved.wait()
        return self._v

    def deinit(self):
        unwatch(self._px)
        unwatch(self._py)
        drop(self)

# RP2Touch: a touch pad on an RP2040/RP2350 pin with a pull-down, as a
# Pushbutton. Ours measures the pad by software instead of a PIO state
# machine: the pin is charged high, let go, and the reads it takes to fall
# to 0 grow with the capacitance a finger adds. Read every debounce_ms.
from .pushbutton import Pushbutton

_LIMIT = 1000  # reads before giving up: a pad that never discharges


class RP2Touch(Pushbutton):
    # _tp the pad's pin; _stray the lowest count seen (the bare pad)
    _thresh = 5

    @classmethod
    def config(cls, thresh=5, start_sm=0, freq=500):
        # (start_sm, freq: the tutorial's PIO settings, not needed here)
        cls._thresh = thresh

    def __init__(self, pin, suppress=False):
        self._tp = pin
        self._stray = None
        self._count()
        super().__init__(None, suppress, 0)  # no pin IRQ: polled

    def _count(self):
        p = self._tp
        p.init(p.OUT, value=1)
        p.init(p.IN, p.PULL_DOWN)
        n = 0
        while p.value() and n < _LIMIT:
            n += 1
        if self._stray is None or n < self._stray:
            self._stray = n
        return n - self._stray

    def value(self):
        d = self._count()
        return self._stray, d

    def _raw(self):
        return 1 if self._count() >= self._thresh else 0

# AADC: await an ADC leaving (or, after sense(False), entering) bounds, as
# the tutorial's. No port raises an IRQ on an ADC level, so the waiting
# task reads it every period_ms (a timed sleep, not a poll each scheduler
# round) and only while someone waits.
from asyncio import sleep_ms


class AADC:
    # _lo/_hi: the bounds; _normal: wait for out of bounds (True) or in;
    # _last: the latest reading
    period_ms = 10

    def __init__(self, adc):
        self._adc = adc
        self._lo = 0
        self._hi = 0xFFFF
        self._normal = True
        self._last = adc.read_u16()

    def read_u16(self, last=False):
        if not last:
            self._last = self._adc.read_u16()
        return self._last

    def sense(self, normal):
        self._normal = normal

    def __call__(self, lower=None, upper=None):
        # none: the bounds of the last call; one: the reading now +- it;
        # two: absolute bounds
        if upper is not None:
            self._lo, self._hi = lower, upper
        elif lower is not None:
            v = self.read_u16()
            self._lo, self._hi = max(v - lower, 0), min(v + lower, 0xFFFF)
        return self._wait()

    async def _wait(self):
        while True:
            v = self.read_u16()
            if (self._lo <= v <= self._hi) != self._normal:
                return v
            await sleep_ms(self.period_ms)

# Pushbutton: a debounced button with press, release, long and double
# callbacks (or Events), `suppress` and `sense` as the tutorial's. Its pin
# IRQ feeds the shared service in _hub: no task per button.
from asyncio import Event

from . import launch
from ._hub import Input
from ._clicks import Clicks

_NAMES = ("press", "release", "long", "double")


class Pushbutton(Clicks, Input):
    # _sense: the pin level of a button not pressed; _fn/_args: per event
    # kind (see _clicks), a callable, None (set the Event of that name) or
    # False (nothing)
    def __init__(self, pin, suppress=False, sense=None):
        self._sense = pin.value() if sense is None else sense
        self._fn = [False] * 4
        self._args = [()] * 4
        self._clicks(1 if suppress else 0)
        self._start(pin, 0)

    def _set(self, kind, func, args):
        self._fn[kind] = func
        self._args[kind] = args
        if func is None:
            setattr(self, _NAMES[kind], Event())

    def press_func(self, func=False, args=()):
        self._set(0, func, args)

    def release_func(self, func=False, args=()):
        self._set(1, func, args)

    def long_func(self, func=False, args=()):
        self._set(2, func, args)

    def double_func(self, func=False, args=()):
        self._set(3, func, args)

    def _wants(self, kind):
        return self._fn[kind] is not False

    def _emit(self, kind):
        f = self._fn[kind]
        if f is None:
            getattr(self, _NAMES[kind]).set()
        elif f is not False:
            launch(f, self._args[kind])

    def _raw(self):
        return self._pin.value() ^ self._sense

    def rawstate(self):
        return bool(self._raw())

    def __call__(self):
        return bool(self._state)

    def _changed(self, v, t):
        if v:
            self._press(t)
        else:
            self._release(t)


class ESP32Touch(Pushbutton):
    # A touch pad as a button: touched while TouchPad.read() is below
    # _ratio percent of the highest reading seen (the pad untouched). No
    # IRQ: read every debounce_ms. _max: that highest reading.
    _ratio = 80

    @classmethod
    def threshold(cls, val):
        if not 0 < val < 100:
            raise ValueError("threshold is a percentage, 1 to 99")
        cls._ratio = val

    def __init__(self, pin, suppress=False):
        from machine import TouchPad

        self._pad = TouchPad(pin)
        self._max = self._pad.read()
        super().__init__(None, suppress, 0)  # no pin IRQ: polled

    def _raw(self):
        r = self._pad.read()
        if r > self._max:
            self._max = r
        return 1 if r * 100 < self._max * self._ratio else 0

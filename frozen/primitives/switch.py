# Switch: a debounced switch to ground (pin pulled up), with callbacks or
# Events on closing and opening, as the tutorial's. Fed by the shared pin
# service (_hub): no task per switch.
from asyncio import Event

from . import launch
from ._hub import Input


class Switch(Input):
    # _close/_open: (func, args); func None sets the Event of that name,
    # False does nothing
    def __init__(self, pin):
        self._close = self._open = (False, ())
        self._start(pin, pin.value())

    def close_func(self, func, args=()):
        self._close = (func, args)
        if func is None:
            self.close = Event()

    def open_func(self, func, args=()):
        self._open = (func, args)
        if func is None:
            self.open = Event()

    def _raw(self):
        return self._pin.value()

    def __call__(self):
        return self._state

    def _changed(self, v, t):
        f, args = self._open if v else self._close
        if f is None:
            (self.open if v else self.close).set()
        elif f is not False:
            launch(f, args)

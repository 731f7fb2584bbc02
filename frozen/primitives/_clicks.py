# Press, release, long press and double click from a debounced button
# level, for Pushbutton, EButton and SwArray's keys. The driver calls
# _press(t) / _release(t) at debounced changes and _timers(t) when _next()
# falls due; the class gives _emit(kind).
#   _sup 0: every event as it happens; double at the second press
#        1: Pushbutton's suppress: no release after a long press or a double
#           click; a short click's release waits for the double-click window
#        2: EButton's (and SwArray's) suppress: a short click's press and
#           release both wait for the window; a double click gives double and
#           release, a long press long and release
# State: _dn pressed; _win_at end of the double-click window (None: shut);
# _long_at when a press turns long (None: none armed); _dbl this press
# was a double click's second; _lf it turned long; _defer 1 press and 2
# release held back until the window's end.
from time import ticks_add, ticks_diff

PRESS = 0
RELEASE = 1
LONG = 2
DOUBLE = 3


class Clicks:
    long_press_ms = 1000
    double_click_ms = 400

    def _clicks(self, sup):
        self._sup = sup
        self._dn = 0
        self._win_at = None
        self._long_at = None
        self._dbl = 0
        self._lf = 0
        self._defer = 0

    def _press(self, t):
        self._dn = 1
        self._lf = 0
        if self._win_at is not None:  # the second press inside the window
            self._win_at = None
            self._dbl = 1
            self._defer = 0
            if self._sup != 2:
                self._emit(PRESS)
            self._emit(DOUBLE)
        else:
            self._dbl = 0
            if self._wants(DOUBLE):
                self._win_at = ticks_add(t, self.double_click_ms)
            if self._sup == 2 and self._win_at is not None:
                self._defer = 1
            else:
                self._emit(PRESS)
        if self._wants(LONG):
            self._long_at = ticks_add(t, self.long_press_ms)

    def _release(self, t):
        self._dn = 0
        self._long_at = None
        sup = self._sup
        if sup and (self._lf or self._dbl):
            if sup == 2:
                self._emit(RELEASE)
        elif sup and self._win_at is not None:
            self._defer |= 2  # a double click may still come
        else:
            self._settle()

    def _settle(self):
        # A click that turned out single: what was held back, then release.
        if self._defer & 1:
            self._emit(PRESS)
        self._defer = 0
        self._emit(RELEASE)

    def _next(self):
        w = self._win_at
        g = self._long_at
        if w is None or (g is not None and ticks_diff(g, w) < 0):
            return g
        return w

    def _timers(self, t):
        w = self._win_at
        if w is not None and ticks_diff(t, w) >= 0:
            self._win_at = None
            if self._defer & 2:
                self._settle()
        g = self._long_at
        if g is not None and ticks_diff(t, g) >= 0:
            self._long_at = None
            if self._dn:
                self._lf = 1
                self._defer = 0
                self._emit(LONG)

    def _wants(self, kind):
        return True

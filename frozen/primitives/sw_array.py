# Keyboard and SwArray: pushbuttons (or diode-isolated switches) in a
# crosspoint array, as the tutorial's. A matrix can only be read by driving
# its rows, so each array has a task scanning it every scan_ms (and
# debounce time after a change). Scan codes are bits of one int: the first
# row and column pins are the highest code (nkeys - 1), as the tutorial's.
from asyncio import RingbufQueue, create_task, sleep_ms
from asyncio._kernel import _core
from time import ticks_diff

from ._clicks import Clicks

CLOSE = 1  # SwArray cfg bits, and the event each reports
OPEN = 2
LONG = 4
DOUBLE = 8
SUPPRESS = 16
_BITS = (CLOSE, OPEN, LONG, DOUBLE)  # by _clicks' kinds


class Keyboard(RingbufQueue):
    # _rows/_cols pins; _state the debounced bitmap (1 closed)
    scan_ms = 10

    def __init__(self, rowpins, colpins, *, bufsize=10, db_delay=50):
        self._rows = rowpins
        self._cols = colpins
        super().__init__(self._storage(bufsize))
        self._state = 0
        self._db = db_delay
        for r in rowpins:
            r(1)
        self._task = create_task(self._scan())

    def _storage(self, n):
        # an int: a bytearray when every code fits a byte, else a list
        if type(n) is not int:
            return n
        return bytearray(n) if len(self._rows) * len(self._cols) <= 256 else [0] * n

    def __getitem__(self, scan_code):
        return bool(self._state & (1 << scan_code))

    def _read(self):
        cur = 0
        for r in self._rows:
            r(0)
            for c in self._cols:
                cur = (cur << 1) | (c() ^ 1)
            r(1)
        return cur

    def _put(self, item):
        try:
            self.put_nowait(item)
        except IndexError:
            pass  # full: the oldest went, this one is in

    async def _scan(self):
        while True:
            cur = self._read()
            changed = cur ^ self._state
            self._state = cur
            self._changes(changed, cur)
            await sleep_ms(self._db if changed else self._idle_ms())

    def _idle_ms(self):
        return self.scan_ms

    def _changes(self, changed, cur):
        code = 0
        new = changed & cur
        while new:
            if new & 1:
                self._put(code)
            new >>= 1
            code += 1

    def deinit(self):
        self._task.cancel()


class _Key(Clicks):
    # One key of an SwArray: the click logic, reporting to the array
    def __init__(self, array, code, sup):
        self._a = array
        self._code = code
        self._clicks(sup)

    def _wants(self, kind):
        return bool(self._a._cfg & _BITS[kind])

    def _emit(self, kind):
        if self._wants(kind):
            self._a._put((self._code, _BITS[kind]))


class SwArray(Keyboard):
    # _cfg: the cfg bits; _keys: code -> _Key, for keys with timing going
    debounce_ms = 50
    long_press_ms = 1000
    double_click_ms = 400

    def __init__(self, rowpins, colpins, cfg, *, bufsize=10):
        self._cfg = cfg
        self._keys = {}
        super().__init__(rowpins, colpins, bufsize=bufsize, db_delay=self.debounce_ms)

    def _storage(self, n):
        return [None] * n if type(n) is int else n  # (code, event) pairs

    def keymap(self):
        return self._state

    def _key(self, code):
        k = self._keys.get(code)
        if k is None:
            k = self._keys[code] = _Key(self, code, 2 if self._cfg & SUPPRESS else 0)
            k.long_press_ms = self.long_press_ms
            k.double_click_ms = self.double_click_ms
        return k

    def _changes(self, changed, cur):
        t = _core.ticks()
        code = 0
        while changed:
            if changed & 1:
                k = self._key(code)
                if cur & (1 << code):
                    k._press(t)
                else:
                    k._release(t)
            changed >>= 1
            code += 1
        for code in list(self._keys):
            k = self._keys[code]
            k._timers(t)
            if not k._dn and k._next() is None and not k._defer:
                del self._keys[code]  # idle again

    def _idle_ms(self):
        # Sleep to the next key deadline if it comes before the next scan.
        ms = self.scan_ms
        t = _core.ticks()
        for k in self._keys.values():
            d = k._next()
            if d is not None:
                ms = min(ms, max(ticks_diff(d, t), 0))
        return ms

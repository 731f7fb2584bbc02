# hwtest: tiny test harness that runs the same on MicroPython and CPython.
# A suite file defines test_* functions (plain or async def) and ends with
# hwtest.main(); each test prints "ok <name>" or "FAIL <name>: <Type: msg>",
# then one summary line "hwtest: N passed, M failed" that the runner parses.
import sys

MICROPYTHON = sys.implementation.name == "micropython"


# How long a wait that must end may take (a wait_for guard): it only stops a
# hang, so it is far beyond the work: an emulated board on a loaded host
# stalls for a second and more (ESP32 under QEMU did).
ENDS = 10


class Skip(Exception):
    """Raise inside a test to skip only that test ("skip <name>: <why>")."""


def require(feature):
    # Probe "module" or "module.attr"; if missing, skip the whole file the
    # suite-wide way: "SKIP" as the only output.
    parts = feature.split(".")
    try:
        obj = __import__(parts[0])
        for attr in parts[1:]:
            obj = getattr(obj, attr)
        return obj
    except (ImportError, AttributeError):
        print("SKIP")
        raise SystemExit  # noqa: B904  (MicroPython code: no exception chaining)


# Boards whose test rig wires an output pin to an input pin:
# sys.platform -> (output pin, input pin it is wired to).
WIRES = {"rp2": (2, 3)}


def require_wires():
    # Skip the whole file (the suite-wide way) on a port without such a wire.
    if sys.platform not in WIRES:
        print("SKIP")
        raise SystemExit


def wired():
    # (out, inp) pins, or skip the test when the input does not follow the output.
    import machine
    import time

    a, b = WIRES[sys.platform]
    out = machine.Pin(a, machine.Pin.OUT, value=0)
    inp = machine.Pin(b, machine.Pin.IN, machine.Pin.PULL_DOWN)
    inp.irq(None)
    for level in (1, 0):
        out.value(level)
        time.sleep_us(50)
        if inp.value() != level:
            raise Skip("no wire from pin %d to pin %d" % (a, b))
    return out, inp


def machine_timer(period, callback, periodic=False):
    # A machine.Timer in whichever form the port takes, or skip the test.
    import machine

    mode = machine.Timer.PERIODIC if periodic else machine.Timer.ONE_SHOT
    for ident in ((), (-1,), (0,)):  # rp2 takes no id; esp32 wants a hardware one
        try:
            return machine.Timer(*ident, mode=mode, period=period, callback=callback)
        except (TypeError, ValueError):
            pass
    raise Skip("machine.Timer has no Timer(mode=, period=, callback=) form here")


def require_sockets(n):
    # Skip the test unless the port has room for n sockets at once (lwIP
    # has a fixed table: 10 on esp32).
    import socket

    made = []
    try:
        while len(made) < n:
            made.append(socket.socket())
    except OSError:
        raise Skip("room for %d sockets at once, %d needed" % (len(made), n))  # noqa: B904
    finally:
        for s in made:
            s.close()


_last_port = [0]


def next_port():
    # A fresh TCP/UDP port per server, so one in TIME_WAIT never gets in the
    # way; from a start that differs between runs.
    if not _last_port[0]:
        import time

        _last_port[0] = 20000 + (int(time.time()) * 7) % 20000
    _last_port[0] += 1
    return _last_port[0]


async def start_server(handler, host="127.0.0.1", **kw):
    """asyncio.start_server() on a fresh port: (server, port). Another run on
    the same host (two boards tested in parallel) may hold a port: the next."""
    import asyncio
    import errno

    for _ in range(20):
        port = next_port()
        try:
            return await asyncio.start_server(handler, host, port, **kw), port
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, "no free port found")


def eq(got, want, what="value"):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def true(cond, what="condition"):
    if not cond:
        raise AssertionError(what + " is false")


def _caught(exc_type, err):
    # exc_type may be a tuple of types, as for isinstance()
    want = (
        "/".join(t.__name__ for t in exc_type)
        if isinstance(exc_type, tuple)
        else exc_type.__name__
    )
    if err is None:
        raise AssertionError(want + " not raised")
    if not isinstance(err, exc_type):
        raise AssertionError("want %s, got %s: %s" % (want, type(err).__name__, err))
    return err


def raises(exc_type, fn, *args, **kwargs):
    """Call fn(*args, **kwargs); return the exc_type exception it must raise."""
    try:
        fn(*args, **kwargs)
    except BaseException as e:  # BaseException: CancelledError is one
        return _caught(exc_type, e)
    return _caught(exc_type, None)


async def araises(exc_type, awaitable):
    """Await awaitable; return the exc_type exception it must raise."""
    try:
        await awaitable
    except BaseException as e:
        return _caught(exc_type, e)
    return _caught(exc_type, None)


async def flush_schedule():
    """Reuse every slot of MicroPython's scheduler queue. A slot keeps its
    callback and argument (and all they refer to) until it is reused, which
    the runner's heap check would count against the test that scheduled."""
    import asyncio
    import micropython

    for _ in range(16):  # deeper than any port's MICROPY_SCHEDULER_DEPTH
        micropython.schedule(_noop, None)
        await asyncio.sleep_ms(0)


def _noop(_):
    pass


def ticker(period=0):
    """Start a task that counts its turns, one per `period` seconds (0: one
    per scheduler round), to show the loop ran meanwhile. Returns (task,
    turns): turns[0] is the count so far."""
    import asyncio

    turns = [0]

    async def tick():
        while True:
            turns[0] += 1
            await asyncio.sleep(period)

    return asyncio.create_task(tick()), turns


def run_on_clock(clock, fn):
    """Call fn() with the asyncio scheduler reading clock() instead of
    time.ticks_ms(). Our package reads time in one place, its core, so the
    core's set_clock() is all there is to swap. Raises Skip for a core
    without set_clock() (stock, CPython)."""
    import asyncio

    if not MICROPYTHON:
        raise Skip("no test clock on CPython")

    async def nap():
        await asyncio.sleep_ms(0)

    asyncio.run(nap())  # load the scheduler's modules
    core = getattr(sys.modules.get("asyncio._kernel"), "_core", None)
    set_clock = getattr(core, "set_clock", None)
    if set_clock is None:
        raise Skip("this asyncio core has no set_clock(); can't drive its clock")
    asyncio.new_event_loop()  # a fresh scheduler; the clock is set on it
    set_clock(clock)
    try:
        return fn()
    finally:
        set_clock(None)
        asyncio.new_event_loop()


class Clock:
    """A ticks_ms clock for run_on_clock() that moves only when advanced.
    clock() is the ticks now; clock.elapsed the ms advanced since made."""

    def __init__(self, start=None):
        import time

        self.ticks = time.ticks_ms() if start is None else start
        self.elapsed = 0
        # (kept: an import per advance() allocates where the runner's file
        # system is mounted, since `time` may be overridden by a file)
        self._ticks_add = time.ticks_add

    def __call__(self):
        return self.ticks

    def advance(self, ms):
        self.ticks = self._ticks_add(self.ticks, ms)
        self.elapsed += ms


def run_timed(make_main, step=1, start=None):
    """asyncio.run(make_main(clock)) on a Clock that moves `step` ms per
    scheduler round and never otherwise, so every sleep, timeout and deadline
    falls in the same round on every run, however loaded the machine (the
    loop never idles: a driver task advances the clock between rounds).
    Returns main's result. Skip where run_on_clock() can't run."""
    import asyncio

    if not MICROPYTHON:
        raise Skip("no test clock on CPython")
    clock = Clock(start)

    async def driver():
        main = asyncio.create_task(make_main(clock))
        while not main.done():
            clock.advance(step)
            await asyncio.sleep_ms(0)
        return await main

    return run_on_clock(clock, lambda: asyncio.run(driver()))


class PinDouble:
    """A machine.Pin stand-in for input drivers: value(), pin() and
    irq(handler, trigger, hard=) as a Pin's; set(level) moves the level and,
    on an edge its trigger asks for, calls the handler at once, as an IRQ
    interrupts whatever runs (call it from a task, or from a
    micropython.schedule() callback for a soft IRQ). Also an output: pin(v)
    sets the level with no IRQ (for a matrix's row pins)."""

    IRQ_FALLING = 1
    IRQ_RISING = 2
    IN = 0
    OUT = 1
    PULL_DOWN = 2

    def __init__(self, level=1):
        self.level = level
        self.handler = None
        self.trigger = 0
        self.edges = 0

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v

    def __call__(self, v=None):
        return self.value(v)

    def irq(self, handler=None, trigger=3, hard=False):
        self.handler = handler
        self.trigger = trigger if handler is not None else 0

    def set(self, level):
        if level == self.level:
            return
        self.level = level
        self.edges += 1
        if self.trigger & (self.IRQ_RISING if level else self.IRQ_FALLING):
            self.handler(self)


def _in_definition_order(ns):
    # MicroPython dicts don't keep insertion order: take the order from the
    # source file when there is one, else (code sent over a REPL) name order.
    names = sorted(n for n in ns if n.startswith("test_") and callable(ns[n]))
    try:
        with open(ns["__file__"]) as f:
            defs = [
                line.split("def ")[1].split("(")[0]
                for line in f
                if line.startswith(("def test_", "async def test_"))
            ]
    except Exception:  # no __file__, no filesystem, no open()
        return names
    return [n for n in defs if n in names] + [n for n in names if n not in defs]


def _fresh_loop():
    # MicroPython has one loop per process: drop tasks a test left behind
    if MICROPYTHON and "asyncio" in sys.modules:
        sys.modules["asyncio"].new_event_loop()


def run(ns, out=print):
    """Run the test_* functions of namespace ns; report via out(); return (passed, failed)."""
    passed = failed = 0
    for name in _in_definition_order(ns):
        try:
            result = ns[name]()
            if hasattr(result, "send"):  # async def test
                import asyncio

                _fresh_loop()
                asyncio.run(result)
        except Skip as e:
            out("skip %s: %s" % (name, e))
            continue
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            failed += 1
            out("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            continue
        passed += 1
        out("ok " + name)
    _fresh_loop()  # and leave none behind for the next file
    return passed, failed


def main(ns=None):
    if ns is None:
        import __main__

        ns = __main__.__dict__
    print("hwtest: %d passed, %d failed" % run(ns))

# primitives (ours, micropython-async v3's API) beyond buttons: AADC on an
# ADC double, Keyboard and SwArray scanning a matrix of pin doubles,
# WaitAny/WaitAll/ELO, launch, and asyncio's PinEvent / pin_event extra.
# Durations on the test clock.
import asyncio
import hwtest
from hwtest import eq, true, PinDouble

hwtest.require("primitives.AADC")
from primitives import AADC, Keyboard, SwArray, WaitAny, WaitAll, ELO, launch, Delay_ms  # noqa: E402
from primitives import set_global_exception  # noqa: E402
from primitives.sw_array import CLOSE, OPEN, LONG, DOUBLE, SUPPRESS  # noqa: E402


def on_clock(body):
    return lambda: hwtest.run_timed(body)


class ADCDouble:
    def __init__(self, v):
        self.v = v
        self.reads = 0

    def read_u16(self):
        self.reads += 1
        return self.v


@on_clock
async def test_aadc_bounds(clock):
    adc = ADCDouble(30000)
    a = AADC(adc)

    async def ramp(to, step):
        while adc.v != to:
            await asyncio.sleep_ms(5)
            adc.v += step if to > adc.v else -step

    asyncio.create_task(ramp(33000, 100))
    v = await a(2000)  # relative: 28000..32000
    true(v > 32000, "woke once out of bounds (%d)" % v)
    eq(a.read_u16(last=True), v)
    asyncio.create_task(ramp(20000, 500))
    v = await a()  # the same bounds again: still out, at once
    true(v > 32000, "above the upper bound (%d)" % v)
    v = await a(25000, 40000)
    true(v < 25000, "below the lower bound (%d)" % v)
    a.sense(False)  # now: wait until inside
    asyncio.create_task(ramp(26000, 100))  # from below 25000
    v = await a(25000, 39000)
    true(25000 <= v <= 39000, "inside (%d)" % v)
    # sampled every period_ms, not every scheduler round
    adc.reads = 0
    a.sense(True)
    t = asyncio.create_task(a(0, 65535))
    await asyncio.sleep_ms(100)
    t.cancel()
    true(adc.reads <= 100 // AADC.period_ms + 2, "%d reads in 100 ms" % adc.reads)


class Matrix:
    # rows (outputs) x cols (inputs pulled up): a closed key links its row
    # to its column, so the column reads the row's level
    def __init__(self, nrows, ncols):
        self.closed = set()
        self.rows = [self.Row(self, r) for r in range(nrows)]
        self.cols = [self.Col(self, c) for c in range(ncols)]

    class Row:
        def __init__(self, m, r):
            self.m, self.r, self.level = m, r, 1

        def __call__(self, v=None):
            if v is None:
                return self.level
            self.level = v

    class Col:
        def __init__(self, m, c):
            self.m, self.c = m, c

        def __call__(self):
            for row in self.m.rows:
                if row.level == 0 and (row.r, self.c) in self.m.closed:
                    return 0
            return 1

    def code(self, r, c):
        # the tutorial's scan code: first row and column the highest
        return len(self.rows) * len(self.cols) - 1 - (r * len(self.cols) + c)


@on_clock
async def test_keyboard(clock):
    m = Matrix(3, 4)
    kp = Keyboard(m.rows, m.cols)
    got = []

    async def read():
        async for code in kp:
            got.append(code)

    t = asyncio.create_task(read())
    m.closed.add((0, 0))
    await asyncio.sleep_ms(100)
    true(kp[m.code(0, 0)], "held key reads as pressed")
    m.closed.add((2, 1))  # second key before the first is let go (rollover)
    await asyncio.sleep_ms(100)
    m.closed.clear()
    await asyncio.sleep_ms(100)
    eq(kp[m.code(0, 0)], False)
    eq(got, [m.code(0, 0), m.code(2, 1)])
    t.cancel()
    kp.deinit()


@on_clock
async def test_keyboard_overflow_keeps_newest(clock):
    m = Matrix(1, 4)
    kp = Keyboard(m.rows, m.cols, bufsize=3)  # holds 2
    for c in range(4):
        m.closed.add((0, c))
        await asyncio.sleep_ms(80)
        m.closed.clear()
        await asyncio.sleep_ms(80)
    eq([kp.get_nowait(), kp.get_nowait()], [m.code(0, 2), m.code(0, 3)])
    kp.deinit()


async def press(m, key, ms):
    m.closed.add(key)
    await asyncio.sleep_ms(ms)
    m.closed.discard(key)


@on_clock
async def test_swarray_events(clock):
    m = Matrix(2, 2)
    sw = SwArray(m.rows, m.cols, CLOSE | OPEN | LONG | DOUBLE, bufsize=20)
    k = m.code(1, 0)
    await press(m, (1, 0), 100)
    await asyncio.sleep_ms(600)
    await press(m, (1, 0), 1200)
    await asyncio.sleep_ms(600)
    await press(m, (1, 0), 100)
    await asyncio.sleep_ms(100)
    await press(m, (1, 0), 100)
    await asyncio.sleep_ms(600)
    got = []
    while not sw.empty():
        got.append(sw.get_nowait())
    want = [CLOSE, OPEN, CLOSE, LONG, OPEN, CLOSE, OPEN, CLOSE, DOUBLE, OPEN]
    eq(got, [(k, e) for e in want])
    eq(sw.keymap(), 0)
    sw.deinit()


@on_clock
async def test_swarray_suppress(clock):
    m = Matrix(1, 2)
    sw = SwArray(m.rows, m.cols, CLOSE | OPEN | LONG | DOUBLE | SUPPRESS)
    k = m.code(0, 1)
    await press(m, (0, 1), 100)
    await asyncio.sleep_ms(600)
    await press(m, (0, 1), 100)
    await asyncio.sleep_ms(100)
    await press(m, (0, 1), 100)
    await asyncio.sleep_ms(600)
    await press(m, (0, 1), 1200)
    await asyncio.sleep_ms(600)
    got = []
    while not sw.empty():
        got.append(sw.get_nowait())
    want = [CLOSE, OPEN, DOUBLE, OPEN, LONG, OPEN]
    eq(got, [(k, e) for e in want])
    sw.deinit()


@on_clock
async def test_wait_any_all_nesting(clock):
    e1, e2, e3 = asyncio.Event(), asyncio.Event(), asyncio.Event()
    d = Delay_ms(duration=50)

    async def later(ms, e):
        await asyncio.sleep_ms(ms)
        e.set()

    asyncio.create_task(later(30, e2))
    any_ = WaitAny((e1, e2, d))
    d.trigger()
    eq(await any_.wait(), e2)
    eq(any_.event(), e2)
    any_.clear()
    eq(e2.is_set(), False, "clear() clears the members")
    eq(await WaitAny((e1, d)).wait(), d, "a Delay_ms is event-like")
    asyncio.create_task(later(10, e1))
    asyncio.create_task(later(40, e3))
    t0 = clock.elapsed
    await WaitAll((e1, WaitAny(e2, e3))).wait()
    true(clock.elapsed - t0 >= 40, "waited for both")


@on_clock
async def test_elo(clock):
    async def work(ms, r):
        await asyncio.sleep_ms(ms)
        return r

    a = ELO(work, 20, "a")
    b = ELO(asyncio.create_task(work(500, "b")))
    eq(await WaitAny((a, b)).wait(), a)
    eq(await a(), "a", "the task's result")
    b().cancel()
    await WaitAll((b,)).wait()
    true(isinstance(b(), asyncio.CancelledError), "a cancelled ELO gives the CancelledError")


async def test_launch():
    ran = []

    async def coro(x):
        ran.append(x)
        return x

    eq(launch(lambda x: x * 2, (21,)), 42)
    t = launch(coro, (7,))
    eq(await t, 7)
    eq(ran, [7])


@on_clock
async def test_pin_event(clock):
    hwtest.require("asyncio.PinEvent")
    pin = PinDouble(0)

    async def toggle():
        for level in (1, 0, 1):
            await asyncio.sleep_ms(20)
            pin.set(level)

    asyncio.create_task(toggle())
    t0 = clock.elapsed
    eq(await asyncio.pin_event(pin, pin.IRQ_RISING), 1)
    true(20 <= clock.elapsed - t0 <= 22, "woke in the round after the edge")
    eq(pin.handler, None, "pin_event() removes its IRQ")
    pe = asyncio.PinEvent(pin)
    pin.set(0)
    pin.set(1)
    await asyncio.wait_for_ms(pe.wait(), 10)  # edges before the await are not lost
    eq(pe.edges(), 2)
    eq(pe.edges(), 0)
    asyncio.create_task(toggle())
    n = 0
    async for edges in pe:
        n += edges
        if n >= 3:
            break
    eq(n, 3)
    pe.close()


@on_clock
async def test_pin_event_allocates_nothing_per_edge(clock):
    gc = hwtest.require("gc")
    pin = PinDouble(0)
    pe = asyncio.PinEvent(pin)
    pin.set(1)
    await pe.wait()

    async def edges_then_wait(n):
        gc.collect()
        before = gc.mem_alloc()
        for _ in range(n):
            pin.set(1 - pin.level)
        isr = gc.mem_alloc() - before
        await pe.wait()
        pe.edges()
        return isr, gc.mem_alloc() - before

    few = await edges_then_wait(1)
    many = await edges_then_wait(41)
    eq(many[0], 0, "bytes allocated by the IRQ handler for 41 edges")
    eq(many[1], few[1], "bytes allocated by a wait after 41 edges against 1")
    if asyncio._kernel._core.__name__ == "_asyncio":  # the C core's flag waits for free
        eq(few[1], 0, "bytes allocated by an edge and a wait")
    pe.close()


def test_set_global_exception_stops_the_program():
    # A task's uncaught exception ends asyncio.run() (SystemExit), with the
    # exception printed, instead of leaving the rest running.
    ran = []

    async def bad():
        raise ValueError("expected by the test")

    async def main():
        set_global_exception()
        asyncio.create_task(bad())
        await asyncio.sleep_ms(200)
        ran.append("after")

    try:
        hwtest.raises(SystemExit, asyncio.run, main())
    finally:
        asyncio.get_event_loop().set_exception_handler(None)
    eq(ran, [], "the loop stopped")


def test_reexports_are_asyncios_own_and_agents_work():
    import primitives
    import threadsafe
    from primitives import Agent, broker

    for name in ("Delay_ms", "RingbufQueue", "Broker", "Semaphore", "Barrier", "Condition"):
        true(getattr(primitives, name) is getattr(asyncio, name), name)
    for name in ("Message", "ThreadSafeEvent", "ThreadSafeQueue"):
        true(getattr(threadsafe, name) is getattr(asyncio, name), name)
        true(getattr(primitives, name) is getattr(asyncio, name), name)
    from primitives.delay_ms import Delay_ms as D
    from threadsafe.message import Message as M

    true(D is asyncio.Delay_ms and M is asyncio.Message, "module paths")
    got = []

    class Mine(Agent):
        def put(self, topic, message, arg):
            got.append((topic, message, arg))

    agent = Mine()
    broker.subscribe("t", agent, 42)
    broker.publish("t", "m")
    broker.unsubscribe("t", agent, 42)
    broker.publish("t", "again")
    eq(got, [("t", "m", 42)])
    hwtest.raises(AttributeError, getattr, primitives, "NoSuchThing")


hwtest.main()

# primitives (micropython-async v3's names, ours): Switch, ESwitch,
# Pushbutton and EButton on a pin double whose edges call the driver's IRQ
# handler at once (set() from a task, or from micropython.schedule() as a
# soft IRQ). Every duration is on the test clock (hwtest.run_timed: 1 ms
# per scheduler round), so the windows below are exact however loaded the
# machine; a core without set_clock() skips.
import asyncio
import hwtest
from hwtest import eq, true, PinDouble

hwtest.require("primitives.Pushbutton")
from primitives import Pushbutton, EButton, Switch, ESwitch, ESP32Touch, RP2Touch  # noqa: E402


def on_clock(body):
    return lambda: hwtest.run_timed(body)


def recorder(clock, log, pb, kinds=("press", "release", "long", "double")):
    # Callbacks appending (kind, ms since the clock started) to log.
    for kind in kinds:
        getattr(pb, kind + "_func")(lambda k: log.append((k, clock.elapsed)), (kind,))


async def bounce(pin, level, edges=7, gap=2):
    # A contact settling on `level` after `edges` flips `gap` ms apart.
    for i in range(edges):
        pin.set(level if i % 2 == 0 else 1 - level)
        await asyncio.sleep_ms(gap)
    pin.set(level)


def kinds(log):
    return [k for k, _ in log]


def near(got, want, what, slack=5):
    true(want <= got <= want + slack, "%s at %d ms, wanted %d" % (what, got, want))


@on_clock
async def test_press_release_at_once(clock):
    pin = PinDouble(1)  # to ground, pulled up: pressed reads 0
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb, ("press", "release"))
    await asyncio.sleep_ms(10)
    pin.set(0)
    await asyncio.sleep_ms(100)
    eq(kinds(log), ["press"])
    near(log[0][1], 10, "press")
    true(pb(), "debounced state: pressed")
    pin.set(1)
    await asyncio.sleep_ms(100)
    eq(kinds(log), ["press", "release"])
    near(log[1][1], 110, "release")
    eq(pb(), False)
    pb.deinit()


@on_clock
async def test_bounce_trains_give_one_event_each(clock):
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb)
    await bounce(pin, 0, edges=9)
    await asyncio.sleep_ms(200)
    await bounce(pin, 1, edges=9)
    await asyncio.sleep_ms(600)
    eq(kinds(log), ["press", "release"])
    true(pin.edges >= 18, "the trains had their edges")
    pb.deinit()


@on_clock
async def test_glitch_shorter_than_debounce(clock):
    # A press that ends inside the lockout: the level is read again at its
    # end, so the release is not lost.
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb, ("press", "release"))
    pin.set(0)
    await asyncio.sleep_ms(20)
    pin.set(1)
    await asyncio.sleep_ms(200)
    eq(kinds(log), ["press", "release"])
    near(log[1][1], Pushbutton.debounce_ms, "release at the lockout's end")
    pb.deinit()


@on_clock
async def test_long_press(clock):
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb)
    pin.set(0)
    await asyncio.sleep_ms(1300)
    pin.set(1)
    await asyncio.sleep_ms(100)
    eq(kinds(log), ["press", "long", "release"])
    near(log[1][1], 1000, "long")
    pb.deinit()


@on_clock
async def test_double_click(clock):
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb)
    pin.set(0)
    await asyncio.sleep_ms(100)
    pin.set(1)
    await asyncio.sleep_ms(100)
    pin.set(0)  # 200 ms after the first press: inside the 400 ms window
    await asyncio.sleep_ms(100)
    pin.set(1)
    await asyncio.sleep_ms(600)
    eq(kinds(log), ["press", "release", "press", "double", "release"])
    near(log[3][1], 200, "double at the second press")
    # presses further apart than double_click_ms are two single clicks
    log[:] = []
    for _ in range(2):
        pin.set(0)
        await asyncio.sleep_ms(100)
        pin.set(1)
        await asyncio.sleep_ms(400)
    eq(kinds(log), ["press", "release", "press", "release"])
    pb.deinit()


@on_clock
async def test_suppress(clock):
    # Pushbutton's suppress: a short click's release waits for the double-
    # click window; no release after a double click or a long press.
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin, suppress=True)
    recorder(clock, log, pb)
    t0 = clock.elapsed
    pin.set(0)
    await asyncio.sleep_ms(100)
    pin.set(1)
    await asyncio.sleep_ms(500)
    eq(kinds(log), ["press", "release"])
    near(log[1][1] - t0, 400, "release at the window's end")
    log[:] = []
    pin.set(0)
    await asyncio.sleep_ms(100)
    pin.set(1)
    await asyncio.sleep_ms(100)
    pin.set(0)
    await asyncio.sleep_ms(100)
    pin.set(1)
    await asyncio.sleep_ms(600)
    eq(kinds(log), ["press", "press", "double"])
    log[:] = []
    pin.set(0)
    await asyncio.sleep_ms(1200)
    pin.set(1)
    await asyncio.sleep_ms(600)
    eq(kinds(log), ["press", "long"])
    pb.deinit()


@on_clock
async def test_suppress_without_double_func_releases_at_once(clock):
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin, suppress=True)
    recorder(clock, log, pb, ("press", "release", "long"))
    pin.set(0)
    await asyncio.sleep_ms(100)
    pin.set(1)
    await asyncio.sleep_ms(100)
    eq(kinds(log), ["press", "release"])
    near(log[1][1], 100, "release")
    pb.deinit()


@on_clock
async def test_events_sense_and_coroutine_callbacks(clock):
    # None makes a bound Event; sense=0: wired to 3V3, pressed reads 1; a
    # coroutine callback runs as a task.
    pin = PinDouble(0)
    ran = []

    async def on_release():
        ran.append(clock.elapsed)

    pb = Pushbutton(pin, sense=0)
    pb.press_func(None)
    pb.release_func(on_release)
    eq(pb.rawstate(), False)
    pin.set(1)
    await asyncio.wait_for_ms(pb.press.wait(), 100)
    true(pb.rawstate() and pb(), "pressed")
    pin.set(0)
    await asyncio.sleep_ms(60)
    eq(len(ran), 1, "release coroutine ran")
    pb.press_func(False)  # disabled again
    pb.press.clear()
    pin.set(1)
    await asyncio.sleep_ms(60)
    eq(pb.press.is_set(), False)
    pb.deinit()


@on_clock
async def test_sense_default_reads_the_pin(clock):
    # A normally-closed button, released at start (reads 1 here, pulled down)
    pin = PinDouble(1)
    pb = Pushbutton(pin)
    pb.press_func(None)
    pin.set(0)
    await asyncio.wait_for_ms(pb.press.wait(), 100)
    true(pb(), "pressed when the level left the start level")
    pb.deinit()


@on_clock
async def test_edges_from_scheduled_callbacks(clock):
    micropython = hwtest.require("micropython")
    pin = PinDouble(1)
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb, ("press", "release"))
    micropython.schedule(lambda _: pin.set(0), None)
    await asyncio.sleep_ms(100)
    micropython.schedule(lambda _: pin.set(1), None)
    await asyncio.sleep_ms(100)
    eq(kinds(log), ["press", "release"])
    pb.deinit()
    await hwtest.flush_schedule()


@on_clock
async def test_pin_without_irq_is_polled(clock):
    class Level:
        def __init__(self):
            self.v = 1

        def value(self):
            return self.v

    pin = Level()
    log = []
    pb = Pushbutton(pin)
    recorder(clock, log, pb, ("press", "release"))
    await asyncio.sleep_ms(20)
    pin.v = 0
    await asyncio.sleep_ms(100)
    pin.v = 1
    await asyncio.sleep_ms(100)
    eq(kinds(log), ["press", "release"])
    true(log[0][1] <= 20 + Pushbutton.debounce_ms + 2, "read within one poll period")
    pb.deinit()


@on_clock
async def test_idle_buttons_hold_no_task(clock):
    # Two idle buttons: the only tasks are the shared service's two, and a
    # busy button's edges allocate nothing.
    gc = hwtest.require("gc")
    pins = [PinDouble(1) for _ in range(2)]
    pbs = [Pushbutton(p) for p in pins]
    pbs[0].press_func(None)
    await asyncio.sleep_ms(5)
    from primitives import _hub

    true(_hub._clock is not None and len(_hub._inputs) == 2, "served by the hub")
    # a bounce train inside the lockout: the IRQ path allocates nothing, and
    # a round of the pump costs the same for 40 pending edges as for 2
    pins[0].set(0)
    await asyncio.sleep_ms(2)

    async def round_with(edges):
        gc.collect()
        before = gc.mem_alloc()
        for _ in range(edges // 2):
            pins[0].set(1)
            pins[0].set(0)
        isr = gc.mem_alloc() - before
        await asyncio.sleep_ms(0)
        return isr, gc.mem_alloc() - before

    few = await round_with(2)
    many = await round_with(40)
    eq(many[0], 0, "bytes allocated by the IRQ handler for 40 edges")
    if asyncio._kernel._core.__name__ == "_asyncio":  # (the Python core's rounds vary)
        eq(many[1], few[1], "bytes allocated by a round with 40 edges against 2")
    for pb in pbs:
        pb.deinit()
    eq(len(_hub._inputs), 0)


@on_clock
async def test_a_click_allocates_nothing(clock):
    # Press, bounce, long-press timing and release with all four callbacks
    # set: the clock never has to cut a sleep short (no CancelledError
    # made), so on the C core a whole click allocates nothing.
    gc = hwtest.require("gc")
    if asyncio._kernel._core.__name__ != "_asyncio":
        raise hwtest.Skip("the Python core's rounds allocate")
    pin = PinDouble(1)
    n = [0]

    def count():
        n[0] += 1

    pb = Pushbutton(pin)
    for kind in ("press", "release", "long", "double"):
        getattr(pb, kind + "_func")(count)
    for round in range(3):
        gc.collect()
        before = gc.mem_alloc()
        for level in (0, 1):
            for i in range(9):  # a bounce train (no coroutine of the test's own)
                pin.set(level if i % 2 == 0 else 1 - level)
                await asyncio.sleep_ms(2)
            await asyncio.sleep_ms(500 if level else 100 if round < 2 else 1100)
        used = gc.mem_alloc() - before
        if round:  # (the first warms the service up)
            eq(used, 0, "bytes allocated by click %d" % round)
    eq(n[0], 7, "press, release; press, release; press, long, release")
    pb.deinit()


@on_clock
async def test_switch_callbacks_and_events(clock):
    pin = PinDouble(1)  # normally open switch to ground
    log = []
    sw = Switch(pin)
    sw.close_func(lambda: log.append("close"))
    sw.open_func(None)
    await bounce(pin, 0)
    await asyncio.sleep_ms(100)
    eq(log, ["close"])
    eq(sw(), 0, "physical debounced state: grounded")
    await bounce(pin, 1)
    await asyncio.wait_for_ms(sw.open.wait(), 100)
    eq(sw(), 1)
    sw.deinit()


@on_clock
async def test_eswitch(clock):
    pin = PinDouble(0)
    es = ESwitch(pin, lopen=0)  # open reads 0 (to 3V3, pulled down)
    eq(es(), 0)
    pin.set(1)
    await asyncio.wait_for_ms(es.close.wait(), 100)
    eq(es(), 1)
    eq(es.open.is_set(), False)
    await asyncio.sleep_ms(60)
    pin.set(0)
    await asyncio.wait_for_ms(es.open.wait(), 100)
    es.deinit()
    eq(es.close.is_set() or es.open.is_set(), False, "deinit clears the Events")


async def ebutton_run(clock, eb, pin, presses):
    # presses: [(down ms, up ms)]; returns the Events set, in order
    seen = []
    names = ("press", "release", "long", "double")
    for down, up in presses:
        pin.set(0)
        for _ in range(down):
            await asyncio.sleep_ms(1)
            for n in names:
                e = getattr(eb, n)
                if e.is_set():
                    e.clear()
                    seen.append(n)
        pin.set(1)
        for _ in range(up):
            await asyncio.sleep_ms(1)
            for n in names:
                e = getattr(eb, n)
                if e.is_set():
                    e.clear()
                    seen.append(n)
    return seen


@on_clock
async def test_ebutton(clock):
    pin = PinDouble(1)
    eb = EButton(pin)
    eq(await ebutton_run(clock, eb, pin, [(100, 500)]), ["press", "release"])
    eq(await ebutton_run(clock, eb, pin, [(1100, 500)]), ["press", "long", "release"])
    got = await ebutton_run(clock, eb, pin, [(80, 80), (80, 500)])
    eq(got, ["press", "release", "press", "double", "release"])
    eb.deinit()


@on_clock
async def test_ebutton_suppress_table(clock):
    # The tutorial's "Suppress mode" table: short press -> press, release
    # after double_click_ms; double -> double, release; long -> long, release
    pin = PinDouble(1)
    eb = EButton(pin, suppress=True)
    t0 = clock.elapsed
    eq(await ebutton_run(clock, eb, pin, [(100, 500)]), ["press", "release"])
    eb.press.clear()
    got = await ebutton_run(clock, eb, pin, [(80, 80), (80, 500)])
    eq(got, ["double", "release"])
    eq(await ebutton_run(clock, eb, pin, [(1100, 500)]), ["long", "release"])
    true(clock.elapsed - t0 > 0, "clock moved")
    eb.deinit()


class TouchPad:
    # machine.TouchPad's read(): lower while touched
    level = 1000

    def __init__(self, pin):
        self.pin = pin

    def read(self):
        return TouchPad.level


@on_clock
async def test_esp32touch_polls_the_pad(clock):
    import sys

    saved = sys.modules.get("machine")

    class Machine:
        pass

    Machine.TouchPad = TouchPad
    sys.modules["machine"] = Machine
    try:
        tb = ESP32Touch(15, suppress=True)
    finally:
        if saved is None:
            sys.modules.pop("machine")
        else:
            sys.modules["machine"] = saved
    log = []
    recorder(clock, log, tb)
    TouchPad.level = 1200  # the highest reading sets the untouched level
    await asyncio.sleep_ms(120)
    TouchPad.level = 900  # 75 %: under the 80 % threshold
    await asyncio.sleep_ms(150)
    TouchPad.level = 1150
    await asyncio.sleep_ms(600)
    eq(kinds(log), ["press", "release"])
    tb.deinit()


class Pad:
    # An RP2 touch pad: after being charged (init as an output) it reads 1
    # for `charge` more reads; a finger adds to it.
    OUT = 1
    IN = 0
    PULL_DOWN = 2
    charge = 10

    def init(self, mode, pull=None, value=None):
        self.left = Pad.charge if mode == self.OUT else self.left

    def value(self):
        self.left -= 1
        return 1 if self.left > 0 else 0


@on_clock
async def test_rp2touch_counts_the_discharge(clock):
    RP2Touch.config(5)
    pad = Pad()
    tb = RP2Touch(pad)
    log = []
    recorder(clock, log, tb, ("press", "release"))
    eq(tb.value(), (9, 0), "stray count, and no more than that")
    Pad.charge = 30  # touched
    await asyncio.sleep_ms(150)
    eq(tb.value()[1], 20)
    Pad.charge = 10
    await asyncio.sleep_ms(150)
    eq(kinds(log), ["press", "release"])
    tb.deinit()


hwtest.main()

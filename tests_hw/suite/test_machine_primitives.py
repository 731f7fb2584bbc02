# primitives on real pins: a Pushbutton, a Switch and asyncio.PinEvent on an
# input pin wired to an output pin (rp2: GP2 to GP3, as rp2040js's bridge
# wires them; a jumper on a real Pico), so the drivers' own hard IRQs fire.
# Durations on the test clock. Without the wire, or on ports not listed in
# hwtest.WIRES: SKIP.
import hwtest
from hwtest import eq, true

hwtest.require("machine.Pin")
hwtest.require("primitives.Pushbutton")
import asyncio  # noqa: E402
import machine  # noqa: E402
from primitives import Pushbutton, Switch  # noqa: E402

hwtest.require_wires()
wired = hwtest.wired


def on_clock(body):
    return lambda: hwtest.run_timed(body)


@on_clock
async def test_pushbutton_press_long_double(clock):
    out, inp = wired()
    log = []
    pb = Pushbutton(inp, sense=0)  # to 3V3, pulled down: pressed reads 1
    for kind in ("press", "release", "long", "double"):
        getattr(pb, kind + "_func")(lambda k: log.append((k, clock.elapsed)), (kind,))
    t0 = clock.elapsed
    for level in (1, 0, 1, 0, 1):  # a bounce train settling pressed
        out.value(level)
        await asyncio.sleep_ms(2)
    await asyncio.sleep_ms(1200)
    out.value(0)
    await asyncio.sleep_ms(500)
    eq([k for k, _ in log], ["press", "long", "release"])
    true(1000 <= log[1][1] - t0 <= 1005, "long at %d ms" % (log[1][1] - t0))
    log[:] = []
    for _ in range(2):
        out.value(1)
        await asyncio.sleep_ms(80)
        out.value(0)
        await asyncio.sleep_ms(80)
    await asyncio.sleep_ms(500)
    eq([k for k, _ in log], ["press", "release", "press", "double", "release"])
    pb.deinit()


@on_clock
async def test_switch_events(clock):
    out, inp = wired()
    out.value(1)
    await asyncio.sleep_ms(1)
    sw = Switch(inp)  # closed pulls the pin to 0 (here: the output goes low)
    sw.close_func(None)
    sw.open_func(None)
    out.value(0)
    await asyncio.wait_for_ms(sw.close.wait(), 100)
    eq(sw(), 0)
    await asyncio.sleep_ms(60)
    out.value(1)
    await asyncio.wait_for_ms(sw.open.wait(), 100)
    eq(sw(), 1)
    sw.deinit()


async def test_pin_event():
    hwtest.require("asyncio.PinEvent")
    out, inp = wired()

    async def rise():
        await asyncio.sleep_ms(20)
        out.value(1)

    asyncio.create_task(rise())
    eq(await asyncio.wait_for(asyncio.pin_event(inp, machine.Pin.IRQ_RISING), 5), 1)
    pe = asyncio.PinEvent(inp)
    for level in (0, 1, 0):
        out.value(level)
    await asyncio.wait_for(pe.wait(), 5)
    eq(pe.edges(), 3, "every edge counted, none lost")
    pe.close()


hwtest.main()

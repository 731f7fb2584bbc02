# primitives.Encoder (ours, micropython-async v3's API) on two pin doubles:
# the IRQs count with a state table, so bursts while the loop is busy lose
# nothing; illegal transitions (both pins at once) move nothing and are
# counted; the value, div, bounds and mod reach the callback and `async
# for` `delay` ms after motion. Timing on the test clock.
import asyncio
import hwtest
from hwtest import eq, true, PinDouble

hwtest.require("primitives.Encoder")
from primitives import Encoder  # noqa: E402

# AB levels of one forward cycle (x leads y)
CYCLE = ((0, 1), (1, 1), (1, 0), (0, 0))


def on_clock(body):
    return lambda: hwtest.run_timed(body)


class Knob:
    # Two pin doubles moved through the quadrature cycle
    def __init__(self):
        self.x = PinDouble(0)
        self.y = PinDouble(0)
        self.i = 3  # at (0, 0)

    def step(self, n):
        d = 1 if n > 0 else -1
        for _ in range(abs(n)):
            self.i = (self.i + d) % 4
            a, b = CYCLE[self.i]
            # one pin changes per step; set both (the unchanged one is a no-op)
            self.x.set(a)
            self.y.set(b)

    def jump(self):
        # both pins at once: a transition the table can't place
        self.i = (self.i + 2) % 4
        a, b = CYCLE[self.i]
        self.x.level = a  # moved together: then one IRQ sees both
        self.y.set(b)
        self.x.handler(self.x)


@on_clock
async def test_counts_both_ways_and_calls_back_after_delay(clock):
    k = Knob()
    calls = []
    enc = Encoder(k.x, k.y, callback=lambda v, d: calls.append((v, d, clock.elapsed)), delay=20)
    t0 = clock.elapsed
    k.step(5)
    await asyncio.sleep_ms(50)
    eq([c[:2] for c in calls], [(5, 5)])
    true(20 <= calls[0][2] - t0 <= 25, "callback delay ms after motion")
    k.step(-8)
    await asyncio.sleep_ms(50)
    eq([c[:2] for c in calls], [(5, 5), (-3, -8)])
    eq(enc.value(), -3)
    enc.deinit()


@on_clock
async def test_burst_while_loop_busy_loses_nothing(clock):
    # 4000 steps with no await between them (a loop busy elsewhere)
    k = Knob()
    enc = Encoder(k.x, k.y, delay=10)
    for _ in range(10):
        k.step(400)
    k.step(-1)
    await asyncio.sleep_ms(30)
    eq(enc.value(), 3999)
    eq(enc.illegal, 0)
    enc.deinit()


@on_clock
async def test_illegal_transitions_are_counted_and_ignored(clock):
    k = Knob()
    enc = Encoder(k.x, k.y, delay=10)
    k.step(3)
    k.jump()
    k.step(2)
    await asyncio.sleep_ms(30)
    eq(enc.illegal, 1)
    eq(enc.value(), 5, "the legal steps only")
    enc.deinit()


@on_clock
async def test_div_bounds_and_mod(clock):
    k = Knob()
    enc = Encoder(k.x, k.y, v=2, div=4, vmin=0, vmax=5, delay=5)
    k.step(4 * 10)  # 10 detents: stops at vmax
    await asyncio.sleep_ms(20)
    eq(enc.value(), 5)
    k.step(-4)  # back one detent at once, though turned past the end
    await asyncio.sleep_ms(20)
    eq(enc.value(), 4)
    k.step(3)  # less than a detent: nothing yet
    await asyncio.sleep_ms(20)
    eq(enc.value(), 4)
    k.step(1)
    await asyncio.sleep_ms(20)
    eq(enc.value(), 5)
    enc.deinit()
    k = Knob()
    enc = Encoder(k.x, k.y, mod=10, delay=5)
    k.step(23)
    await asyncio.sleep_ms(20)
    eq(enc.value(), 3)
    k.step(-5)
    await asyncio.sleep_ms(20)
    eq(enc.value(), 8)
    enc.deinit()
    hwtest.raises(ValueError, Encoder, PinDouble(), PinDouble(), v=9, vmax=5)


@on_clock
async def test_async_for(clock):
    k = Knob()
    enc = Encoder(k.x, k.y, delay=10)
    got = []

    async def turn():
        for n in (2, 3, -1):
            await asyncio.sleep_ms(50)
            k.step(n)

    asyncio.create_task(turn())
    async for v in enc:
        got.append(v)
        if len(got) == 3:
            break
    eq(got, [2, 5, 4])
    enc.deinit()


@on_clock
async def test_steps_from_scheduled_callbacks(clock):
    micropython = hwtest.require("micropython")
    k = Knob()
    enc = Encoder(k.x, k.y, delay=10)
    for _ in range(6):
        micropython.schedule(lambda _: k.step(1), None)
        await asyncio.sleep_ms(1)
    await asyncio.sleep_ms(30)
    eq(enc.value(), 6)
    enc.deinit()
    await hwtest.flush_schedule()


hwtest.main()

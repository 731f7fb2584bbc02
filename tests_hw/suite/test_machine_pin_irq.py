# Pin interrupts hand over to asyncio: a hard or soft pin IRQ sets a
# ThreadSafeFlag the loop wakes on (also from a sleep toward a far timer), a
# task relays it to an Event others wait on, and a hard IRQ hands work on with
# micropython.schedule(). Needs an output pin wired to an input pin (rp2: GP2
# to GP3, as rp2040js's bridge wires them; a jumper on a real Pico); without
# the wire, or on ports not listed in hwtest.WIRES: SKIP.
import hwtest
from hwtest import eq, true

hwtest.require("machine.Pin")
hwtest.require("asyncio.ThreadSafeFlag")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import machine  # noqa: E402  (imports follow the file's feature checks)
import micropython  # noqa: E402  (imports follow the file's feature checks)
import time  # noqa: E402  (imports follow the file's feature checks)

hwtest.require_wires()
wired = hwtest.wired


async def test_hard_irq_sets_threadsafeflag_per_edge():
    out, inp = wired()
    flag = asyncio.ThreadSafeFlag()
    seen = []

    def handler(pin):
        seen.append(pin.value())
        flag.set()

    inp.irq(handler, machine.Pin.IRQ_RISING | machine.Pin.IRQ_FALLING, hard=True)
    try:
        for level in (1, 0, 1, 0):
            out.value(level)
            await asyncio.wait_for(flag.wait(), 5)
    finally:
        inp.irq(None)
    eq(seen, [1, 0, 1, 0], "one IRQ per edge, each after its edge")


async def test_soft_irq_sets_threadsafeflag():
    out, inp = wired()
    flag = asyncio.ThreadSafeFlag()
    count = [0]

    def handler(pin):
        count[0] += 1
        flag.set()

    inp.irq(handler, machine.Pin.IRQ_RISING, hard=False)
    try:
        for _ in range(3):
            out.value(1)
            await asyncio.wait_for(flag.wait(), 5)
            out.value(0)
    finally:
        inp.irq(None)
    eq(count[0], 3, "rising edges")
    await hwtest.flush_schedule()


async def test_irq_relayed_to_an_event():
    # An IRQ may only set the flag; a task turns it into an Event many wait on.
    out, inp = wired()
    flag = asyncio.ThreadSafeFlag()
    event = asyncio.Event()
    woke = []

    async def relay():
        await flag.wait()
        event.set()

    async def waiter(n):
        await event.wait()
        woke.append(n)

    inp.irq(lambda p: flag.set(), machine.Pin.IRQ_RISING, hard=True)
    try:
        tasks = [asyncio.create_task(waiter(n)) for n in range(3)]
        relayer = asyncio.create_task(relay())
        await asyncio.sleep(0)
        eq(woke, [], "nobody woke before the edge")
        out.value(1)
        await asyncio.wait_for(relayer, 5)
        for t in tasks:
            await asyncio.wait_for(t, 5)
    finally:
        inp.irq(None)
        out.value(0)
    eq(sorted(woke), [0, 1, 2])


async def test_schedule_from_hard_irq():
    # A hard IRQ cannot allocate: it hands the work to micropython.schedule(),
    # whose callback (run between bytecodes) may, and wakes the loop through a flag.
    out, inp = wired()
    flag = asyncio.ThreadSafeFlag()
    got = []

    def later(level):
        got.append(("scheduled", level))
        flag.set()

    def handler(pin):
        micropython.schedule(later, pin.value())

    inp.irq(handler, machine.Pin.IRQ_RISING | machine.Pin.IRQ_FALLING, hard=True)
    try:
        out.value(1)
        await asyncio.wait_for(flag.wait(), 5)
        out.value(0)
        await asyncio.wait_for(flag.wait(), 5)
    finally:
        inp.irq(None)
    eq(got, [("scheduled", 1), ("scheduled", 0)])
    await hwtest.flush_schedule()


async def test_irq_wakes_a_loop_asleep_toward_a_far_timer():
    # The loop sleeps toward a 10 s timer; an edge 20 ms in (made by a one-shot
    # machine.Timer, outside the loop) must wake it: the flag's wait wins by 9.98 s.
    if not hasattr(machine, "Timer"):
        raise hwtest.Skip("no machine.Timer")
    out, inp = wired()
    flag = asyncio.ThreadSafeFlag()
    inp.irq(lambda p: flag.set(), machine.Pin.IRQ_RISING, hard=True)
    far = asyncio.create_task(asyncio.sleep(10))
    start = time.ticks_ms()
    timer = machine.Timer(mode=machine.Timer.ONE_SHOT, period=20, callback=lambda t: out.value(1))
    try:
        await asyncio.wait_for(flag.wait(), 10)
        true(not far.done(), "woke before the far timer")
    finally:
        timer.deinit()
        inp.irq(None)
        out.value(0)
        far.cancel()
    true(time.ticks_diff(time.ticks_ms(), start) >= 20, "woke after the edge, not before")
    await hwtest.flush_schedule()


hwtest.main()

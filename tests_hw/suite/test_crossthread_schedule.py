# On a port without threads (QEMU, PYBV11) the code outside the loop that
# may call loop.call_soon_threadsafe() is a micropython.schedule()
# callback: its calls run on the loop, in order, even though nothing
# started the loop's porter beforehand. (Ports with threads: SKIP, there a
# callback could interrupt a thread holding the inbox's lock; CPython: SKIP.)
import hwtest
from hwtest import eq

hwtest.require("micropython.schedule")
hwtest.require("asyncio.run_coroutine_threadsafe")
try:
    import _thread  # noqa: F401  (only a probe: a port with threads skips)

    print("SKIP")
    raise SystemExit
except ImportError:
    pass
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import micropython  # noqa: E402  (imports follow the file's feature checks)


async def test_calls_from_a_scheduled_callback():
    loop = asyncio.get_event_loop()
    got = []
    woken = asyncio.Event()

    def from_outside(n):
        for i in range(n):
            loop.call_soon_threadsafe(got.append, i)
        loop.call_soon_threadsafe(woken.set)

    micropython.schedule(from_outside, 3)
    await asyncio.wait_for(woken.wait(), hwtest.ENDS)
    eq(got, [0, 1, 2])
    await hwtest.flush_schedule()


async def test_coroutine_from_a_scheduled_callback():
    loop = asyncio.get_event_loop()
    box = []

    async def double(x):
        await asyncio.sleep_ms(1)
        return 2 * x

    micropython.schedule(
        lambda _: box.append(asyncio.run_coroutine_threadsafe(double(5), loop)), None
    )
    for _ in range(1000):  # (5 s at least: time enough on a loaded board)
        await asyncio.sleep_ms(5)
        if box and box[0].done():
            break
    eq(box[0].result(), 10)
    await hwtest.flush_schedule()


hwtest.main()

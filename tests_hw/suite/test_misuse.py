# Misuse that must fail loudly, not lose tasks: a coroutine that awaits,
# driven by hand with next() inside a task (an "async generator" iterated
# like a plain one; MicroPython has no async generators). The await parks
# the task but next() swallows the yield, so the task runs on while still
# queued. Its next await raises RuntimeError, the task is taken out of the
# queue it was in, and every other task carries on.
import asyncio
import hwtest


async def _agen(aw):
    yield 1
    await aw  # parks the task that called next()
    yield 2


async def _victim(make_aw, log):
    g = _agen(make_aw())
    next(g)
    next(g)  # runs the await: the task is parked, yet keeps running
    try:
        await asyncio.sleep_ms(5)
    except RuntimeError as e:
        log.append("victim: " + ("next()" in str(e) and "clear error" or str(e)))
        await asyncio.sleep_ms(5)  # and the task still works afterwards
        log.append("victim recovered")


async def _other(log):
    for i in range(3):
        await asyncio.sleep_ms(3)
        log.append("other %d" % i)


async def test_hand_driven_await_is_an_error():
    ev = asyncio.Event()
    for make_aw in (lambda: asyncio.sleep_ms(20), lambda: asyncio.sleep_ms(0), ev.wait):
        log = []
        o = asyncio.create_task(_other(log))
        await asyncio.wait_for_ms(_victim(make_aw, log), 1000)
        await asyncio.wait_for_ms(o, 1000)
        hwtest.eq(sorted(log), ["other 0", "other 1", "other 2", "victim recovered", "victim: clear error"])
    ev.set()  # nobody is left waiting on it
    await asyncio.sleep_ms(30)  # nor on the timer: nothing fires twice


hwtest.main()

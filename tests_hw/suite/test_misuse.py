# Misuse that must fail loudly, not lose tasks: a coroutine that awaits,
# driven by hand with next() inside a task (an "async generator" iterated
# like a plain one; MicroPython has no async generators). The await parks
# the task but next() swallows the yield, so the task runs on while still
# queued. Its next await raises RuntimeError, the task is taken out of the
# queue it was in, and every other task carries on. And tasks awaiting each
# other in a cycle: cancel() must return and unwind them.
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
        await asyncio.wait_for_ms(_victim(make_aw, log), hwtest.ENDS * 1000)
        await asyncio.wait_for_ms(o, hwtest.ENDS * 1000)
        hwtest.eq(
            sorted(log),
            ["other 0", "other 1", "other 2", "victim recovered", "victim: clear error"],
        )
    ev.set()  # nobody is left waiting on it
    await asyncio.sleep_ms(30)  # nor on the timer: nothing fires twice


async def test_cancel_breaks_a_cycle_of_awaits():
    # Tasks that await each other (a deadlock): cancel() used to follow the
    # "awaits" chain forever. It now stops where the chain comes round and
    # cancels there, which unwinds the whole cycle.
    for size in (2, 3):
        tasks = []

        async def link(i, tasks=tasks, size=size):
            await asyncio.sleep_ms(0)
            await tasks[(i + 1) % size]

        tasks[:] = [asyncio.create_task(link(i)) for i in range(size)]

        async def outsider(tasks=tasks):
            await tasks[0]

        out = asyncio.create_task(outsider())
        await asyncio.sleep_ms(5)
        hwtest.true(not any(t.done() for t in tasks), "deadlocked")
        hwtest.eq(out.cancel(), True)
        for t in tasks + [out]:
            try:
                await asyncio.wait_for_ms(t, hwtest.ENDS * 1000)
            except asyncio.CancelledError:
                pass
        hwtest.true(all(t.done() for t in tasks + [out]), "the cycle unwound (%d tasks)" % size)


hwtest.main()

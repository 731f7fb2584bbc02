# Task.cancel() wherever a task can be blocked: sleeping, awaiting a task,
# waiting on a Lock or Event, inside wait_for and gather; plus finished tasks
# and tasks that ignore the cancellation. Runs on CPython too.
import asyncio
import hwtest
from hwtest import eq, araises


async def yield_n(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def test_cancel_while_sleeping_runs_cleanup():
    log = []

    async def sleeper():
        try:
            await asyncio.sleep(10)
            log.append("woke")
        except asyncio.CancelledError:
            log.append("cancelled")
            raise
        finally:
            await asyncio.sleep(0)  # cleanup may still await
            log.append("cleanup")

    t = asyncio.create_task(sleeper())
    await yield_n(1)
    eq(t.cancel(), True, "cancel of a sleeping task")
    await araises(asyncio.CancelledError, t)
    eq(log, ["cancelled", "cleanup"])
    eq(t.done(), True)


async def test_cancel_before_first_run():
    ran = []

    async def body():
        ran.append(1)

    t = asyncio.create_task(body())
    t.cancel()
    await araises(asyncio.CancelledError, t)
    eq(ran, [], "the body of a task cancelled before it started never runs")


async def test_cancel_while_awaiting_a_task():
    inner_done = []

    async def inner():
        await asyncio.sleep(10)  # far beyond the two yields before the cancel
        inner_done.append(1)
        return "inner"

    async def outer(child):
        return await child

    child = asyncio.create_task(inner())
    parent = asyncio.create_task(outer(child))
    await yield_n(2)
    parent.cancel()
    await araises(asyncio.CancelledError, parent)
    # The cancel is forwarded to the task being awaited (as CPython does),
    # and the awaiter sees CancelledError once the child has unwound.
    await araises(asyncio.CancelledError, child)
    eq(inner_done, [], "child never reached its end")


async def test_cancel_while_waiting_on_lock():
    lock = asyncio.Lock()
    got = []

    async def want(name):
        async with lock:
            got.append(name)
            await yield_n(1)

    await lock.acquire()
    a = asyncio.create_task(want("a"))
    b = asyncio.create_task(want("b"))
    await yield_n(1)
    a.cancel()
    await araises(asyncio.CancelledError, a)
    eq(lock.locked(), True, "still held by main")
    lock.release()
    await b
    eq(got, ["b"], "the cancelled waiter never got the lock")
    eq(lock.locked(), False, "free again: no deadlock")
    await asyncio.wait_for(lock.acquire(), hwtest.ENDS)
    lock.release()


async def test_cancel_waiter_just_handed_the_lock():
    # release() hands the lock to the first waiter; if that waiter is
    # cancelled before it runs, the lock must go to the next one.
    lock = asyncio.Lock()
    got = []

    async def want(name):
        async with lock:
            got.append(name)

    await lock.acquire()
    a = asyncio.create_task(want("a"))
    b = asyncio.create_task(want("b"))
    await yield_n(1)
    lock.release()
    a.cancel()
    await araises(asyncio.CancelledError, a)
    await asyncio.wait_for(b, hwtest.ENDS)
    eq(got, ["b"])
    eq(lock.locked(), False)


async def test_cancel_while_waiting_on_event():
    ev = asyncio.Event()
    woke = []

    async def waiter(name):
        await ev.wait()
        woke.append(name)

    tasks = [asyncio.create_task(waiter(n)) for n in "abc"]
    await yield_n(1)
    tasks[1].cancel()
    await araises(asyncio.CancelledError, tasks[1])
    ev.set()
    await tasks[0]
    await tasks[2]
    eq(woke, ["a", "c"])


async def test_cancel_inside_wait_for():
    log = []

    async def slow():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("slow cancelled")
            raise

    async def waits():
        try:
            await asyncio.wait_for(slow(), 5)
        except asyncio.CancelledError:
            log.append("waiter cancelled")
            raise

    t = asyncio.create_task(waits())
    await yield_n(2)
    t.cancel()
    await araises(asyncio.CancelledError, t)
    await yield_n(2)
    eq(sorted(log), ["slow cancelled", "waiter cancelled"])


async def test_cancel_inside_gather():
    log = []

    async def child(name):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append(name)
            raise

    async def gatherer():
        return await asyncio.gather(child("a"), child("b"))

    t = asyncio.create_task(gatherer())
    await yield_n(2)
    t.cancel()
    await araises(asyncio.CancelledError, t)
    await yield_n(2)
    eq(sorted(log), ["a", "b"], "gather cancels its children")


async def test_cancel_finished_task_is_harmless():
    async def ok():
        return 5

    async def bad():
        raise ValueError("bad")

    good = asyncio.create_task(ok())
    failed = asyncio.create_task(bad())
    eq(await good, 5)
    await araises(ValueError, failed)
    eq(good.cancel(), False)
    eq(failed.cancel(), False)
    eq(await good, 5, "result survives a late cancel")
    await araises(ValueError, failed)
    await yield_n(2)  # and nothing blows up in the scheduler afterwards


async def test_task_that_ignores_cancellation():
    log = []

    async def stubborn():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("ignored")
        await asyncio.sleep(0)
        return "finished anyway"

    t = asyncio.create_task(stubborn())
    await yield_n(1)
    t.cancel()
    eq(await t, "finished anyway")
    eq(log, ["ignored"])


async def test_cancelled_task_awaited_by_several():
    async def sleeper():
        await asyncio.sleep(10)

    async def waiter(t):
        try:
            await t
        except asyncio.CancelledError:
            return "saw cancel"

    t = asyncio.create_task(sleeper())
    w = [asyncio.create_task(waiter(t)) for _ in range(3)]
    await yield_n(1)
    t.cancel()
    results = []
    for x in w:  # (MicroPython has no await inside comprehensions)
        results.append(await x)
    eq(results, ["saw cancel"] * 3)


async def test_cancel_current_task_from_child():
    # a child cancels its parent; the parent sees CancelledError at its await
    parent = asyncio.current_task()

    async def killer():
        parent.cancel()

    asyncio.create_task(killer())
    try:
        await asyncio.sleep(10)
        raise AssertionError("sleep not cancelled")
    except asyncio.CancelledError:
        pass
    # If a CancelledError is swallowed the task carries on normally.
    # (CPython 3.11 would cancel the next await once more unless uncancel()d.)
    if hasattr(parent, "uncancel"):
        parent.uncancel()
    await yield_n(1)


hwtest.main()

# CPython 3.12-3.14 API that the CPython here (3.11) lacks, so this is an
# hwtest file: each test names the version, and its expectations follow
# CPython's documentation and Lib/test/test_asyncio (test_queues.py's
# shutdown tests, test_eager_task_factory.py, test_as_completed.py). Under
# an older CPython each test skips.
# Events and rounds (sleep(0)) order everything; the one timeout races a
# task that never finishes.
import asyncio

import hwtest


def need(obj, name, version):
    if not hasattr(obj, name):
        raise hwtest.Skip("CPython " + version)


# ---- Queue.shutdown() and QueueShutDown (3.13) ----


async def test_shutdown_refuses_puts_then_gets():
    need(asyncio, "QueueShutDown", "3.13")
    q = asyncio.Queue()
    q.put_nowait(1)
    q.put_nowait(2)
    q.shutdown()
    hwtest.raises(asyncio.QueueShutDown, q.put_nowait, 3)
    await hwtest.araises(asyncio.QueueShutDown, q.put(3))
    # what is queued still comes out, then gets refuse
    hwtest.eq(await q.get(), 1)
    hwtest.eq(q.get_nowait(), 2)
    hwtest.raises(asyncio.QueueShutDown, q.get_nowait)
    await hwtest.araises(asyncio.QueueShutDown, q.get())
    q.shutdown()  # twice: harmless


async def test_shutdown_immediate_drops_items_and_releases_join():
    need(asyncio, "QueueShutDown", "3.13")
    q = asyncio.Queue()
    for i in range(3):
        q.put_nowait(i)
    hwtest.eq(await q.get(), 0)  # taken, not task_done(): join still waits for it
    joined = asyncio.create_task(q.join())
    await asyncio.sleep(0)
    q.shutdown(immediate=True)
    hwtest.eq(q.qsize(), 0, "dropped")
    hwtest.raises(asyncio.QueueShutDown, q.get_nowait)
    await asyncio.sleep(0)
    hwtest.true(not joined.done(), "join waits for the item taken")
    q.task_done()
    await asyncio.wait_for(joined, 5)
    hwtest.raises(ValueError, q.task_done)


async def test_shutdown_wakes_waiting_getters_and_putters():
    need(asyncio, "QueueShutDown", "3.13")
    empty = asyncio.Queue()
    full = asyncio.Queue(1)
    full.put_nowait("x")
    getters = [asyncio.create_task(empty.get()) for _ in range(2)]
    putter = asyncio.create_task(full.put("y"))
    await asyncio.sleep(0)
    empty.shutdown()
    full.shutdown()
    for t in getters + [putter]:
        await hwtest.araises(asyncio.QueueShutDown, t)
    hwtest.eq(full.get_nowait(), "x", "the item queued before shutdown")


async def test_shutdown_priority_and_lifo():
    need(asyncio, "QueueShutDown", "3.13")
    for q in (asyncio.PriorityQueue(), asyncio.LifoQueue()):
        q.put_nowait(2)
        q.put_nowait(1)
        q.shutdown(immediate=True)
        hwtest.raises(asyncio.QueueShutDown, q.get_nowait)


# ---- as_completed() as an async iterator (3.13) ----


async def _after(go, value):
    await go.wait()
    return value


async def test_as_completed_async_for_yields_the_tasks_in_finishing_order():
    need(asyncio, "TaskGroup", "3.11")  # (3.13's async iteration is checked below)
    gos = [asyncio.Event() for _ in range(3)]
    tasks = [asyncio.create_task(_after(g, i)) for i, g in enumerate(gos)]
    ac = asyncio.as_completed(tasks)
    need(ac, "__aiter__", "3.13")
    got = []

    async def release():
        for i in (1, 2, 0):
            gos[i].set()
            await asyncio.sleep(0)
            await asyncio.sleep(0)

    r = asyncio.create_task(release())
    async for t in ac:
        hwtest.true(t in tasks, "the original task, not a wrapper")
        got.append(t.result())
    await r
    hwtest.eq(got, [1, 2, 0])


async def test_as_completed_async_for_wraps_coroutines_and_times_out():
    never = asyncio.Event()
    ac = asyncio.as_completed([asyncio.sleep(0, "soon"), _after(never, "never")], timeout=0.05)
    need(ac, "__aiter__", "3.13")
    it = ac.__aiter__()
    first = await it.__anext__()
    hwtest.true(isinstance(first, asyncio.Task), "a coroutine comes back as a task")
    hwtest.eq(await first, "soon")
    await hwtest.araises(asyncio.TimeoutError, it.__anext__())


async def test_as_completed_plain_iteration_still_works():
    go = asyncio.Event()
    go.set()
    out = []
    for f in asyncio.as_completed([_after(go, "a"), asyncio.sleep(0, "b")]):
        out.append(await f)
    hwtest.eq(sorted(out), ["a", "b"])


# ---- eager tasks (3.12: eager_task_factory; 3.14: create_task(eager_start=)) ----


async def test_eager_factory_runs_the_first_step_at_once():
    need(asyncio, "eager_task_factory", "3.12")
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    hwtest.true(loop.get_task_factory() is asyncio.eager_task_factory, "factory kept")
    log = []

    async def quick():
        log.append("quick")
        return 5

    async def slow(go):
        log.append("slow starts")
        await go.wait()
        log.append("slow ends")
        return 6

    try:
        t = asyncio.create_task(quick())
        log.append("created")
        hwtest.eq(log, ["quick", "created"], "ran inside create_task")
        hwtest.true(t.done(), "finished without a trip through the loop")
        hwtest.eq(t.result(), 5)
        go = asyncio.Event()
        s = asyncio.create_task(slow(go))
        hwtest.eq(log[-1], "slow starts")
        hwtest.true(not s.done(), "waits like any task")
        go.set()
        hwtest.eq(await s, 6)
        hwtest.eq(log[-1], "slow ends")
    finally:
        loop.set_task_factory(None)
    hwtest.true(loop.get_task_factory() is None, "factory cleared")
    lazy = asyncio.create_task(quick())
    hwtest.true(not lazy.done(), "lazy again")
    await lazy


async def test_eager_task_sees_itself_and_fails_like_any_task():
    need(asyncio, "eager_task_factory", "3.12")
    loop = asyncio.get_running_loop()
    seen = []

    async def who():
        seen.append(asyncio.current_task())

    async def boom():
        raise KeyError("eager")

    loop.set_task_factory(asyncio.eager_task_factory)
    try:
        t = asyncio.create_task(who())
        hwtest.true(seen[0] is t, "current_task() inside is the new task")
        hwtest.true(asyncio.current_task() is not t, "and the creator's again after")
        b = asyncio.create_task(boom())
        hwtest.true(b.done(), "done")
        await hwtest.araises(KeyError, b)
    finally:
        loop.set_task_factory(None)


async def test_create_task_eager_start():
    need(asyncio, "eager_task_factory", "3.14")  # (3.14: the eager_start= argument)
    ran = []

    async def mark():
        ran.append(1)

    t = asyncio.create_task(mark(), eager_start=True)
    hwtest.eq(ran, [1], "ran at once")
    hwtest.true(t.done(), "done")
    u = asyncio.create_task(mark(), eager_start=False)
    hwtest.eq(ran, [1], "queued")
    await u
    hwtest.eq(ran, [1, 1])


async def test_eager_task_in_taskgroup():
    need(asyncio, "eager_task_factory", "3.12")
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    try:
        async with asyncio.TaskGroup() as g:
            a = g.create_task(asyncio.sleep(0, "a"))
            b = g.create_task(_after(asyncio.Event(), "never"))
            b.cancel()
        hwtest.eq(a.result(), "a")
        hwtest.true(b.cancelled(), "cancelled child")
    finally:
        loop.set_task_factory(None)


hwtest.main()

# gather(): result order, return_exceptions, tasks that finished before the
# gather, a failing task, mixed coroutines and tasks, empty gather. Runs on
# CPython too.
import asyncio
import hwtest
from hwtest import eq, true, araises


async def after(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def fail_after(seconds, exc):
    await asyncio.sleep(seconds)
    raise exc


async def test_results_in_argument_order():
    # finish in reverse order; results still follow the arguments
    eq(await asyncio.gather(after(0.06, "a"), after(0.04, "b"), after(0.02, "c")), ["a", "b", "c"])


async def test_empty():
    eq(await asyncio.gather(), [])


async def test_mixed_tasks_and_coroutines():
    t = asyncio.create_task(after(0.01, 1))
    eq(await asyncio.gather(after(0, 0), t, after(0.02, 2)), [0, 1, 2])


async def test_tasks_finished_before_gather():
    early = [asyncio.create_task(after(0, i)) for i in range(3)]
    for _ in range(3):  # rounds, not a 10 ms sleep a loaded board could overrun
        await asyncio.sleep(0)
    true(all(t.done() for t in early), "finished before the gather")
    eq(await asyncio.gather(*early), [0, 1, 2])
    # some done, some not
    late = asyncio.create_task(after(0.02, "late"))
    eq(await asyncio.gather(early[0], late, early[2]), [0, "late", 2])


async def test_failing_task_raises_first_error():
    other = asyncio.create_task(after(0.05, "other"))
    e = await araises(
        ValueError, asyncio.gather(after(0.01, 1), fail_after(0.02, ValueError("v")), other)
    )
    eq(e.args, ("v",))
    # the other awaitables are not cancelled by the failure
    eq(await other, "other")


async def test_return_exceptions():
    res = await asyncio.gather(
        after(0.01, 1), fail_after(0, KeyError("k")), after(0.02, 3), return_exceptions=True
    )
    eq(len(res), 3)
    eq(res[0], 1)
    true(isinstance(res[1], KeyError), "exception in place: %r" % (res[1],))
    eq(res[2], 3)


async def test_failed_before_gather():
    bad = asyncio.create_task(fail_after(0, OSError(3)))
    try:
        await bad
    except OSError:
        pass
    await araises(OSError, asyncio.gather(bad, after(0, 1)))
    res = await asyncio.gather(bad, after(0, 1), return_exceptions=True)
    true(isinstance(res[0], OSError), "finished failure returned: %r" % (res[0],))
    eq(res[1], 1)


async def test_cancelled_child_with_return_exceptions():
    victim = asyncio.create_task(after(10, 0))

    async def cancel_soon():
        await asyncio.sleep(0.01)
        victim.cancel()
        return "canceller"

    res = await asyncio.gather(victim, cancel_soon(), return_exceptions=True)
    true(
        isinstance(res[0], asyncio.CancelledError),
        "child's CancelledError returned: %r" % (res[0],),
    )
    eq(res[1], "canceller")


async def test_nested_gather():
    eq(await asyncio.gather(asyncio.gather(after(0, 1), after(0, 2)), after(0, 3)), [[1, 2], 3])


async def test_same_coroutine_twice_is_one_task():
    # As CPython: each position gets the result (two tasks would both drive
    # the coroutine, the second resuming it from the first one's await).
    runs = []

    async def once():
        runs.append(1)
        await asyncio.sleep(0.02)
        return 5

    c = once()
    eq(await asyncio.gather(c, c, after(0, 7)), [5, 5, 7])
    eq(runs, [1])


async def test_coroutines_start_before_the_gather_is_awaited():
    # gather() makes its tasks at the call, as CPython does.
    log = []

    async def step(n):
        log.append(n)
        return n

    g = asyncio.gather(step(1), step(2))
    await asyncio.sleep(0.01)
    eq(log, [1, 2], "ran before the gather was awaited")
    eq(await g, [1, 2])


async def test_a_failure_before_the_gather_is_awaited_is_its_outcome():
    # As CPython's gather future: the tasks are watched from the call, so a
    # child failing before the gather is awaited is not reported as an
    # exception nobody retrieved; the gather gives it. (Stock upstream's
    # gather watches only once awaited: it reports both.)
    reports = []
    loop = asyncio.get_event_loop()
    loop.set_exception_handler(lambda loop, context: reports.append(context["message"]))
    try:
        for collect in (True, False):
            bad = asyncio.create_task(fail_after(0, KeyError(collect)))
            g = asyncio.gather(bad, after(0.05, 2), return_exceptions=collect)
            await asyncio.sleep(0.02)  # bad failed; nobody awaits g yet
            true(bad.done(), "the child failed first")
            if collect:
                res = await g
                true(isinstance(res[0], KeyError), "failure in place: %r" % (res[0],))
                eq(res[1], 2)
            else:
                await araises(KeyError, g)
            for _ in range(3):
                await asyncio.sleep(0)
        eq(reports, [], "nothing reported")
    finally:
        loop.set_exception_handler(None)


async def test_many_awaitables():
    eq(await asyncio.gather(*[after(0, i) for i in range(50)]), list(range(50)))


hwtest.main()

# Task: create_task, await, done(), cancel() result, the tutorial's `data`
# attribute, current_task(), and the clear errors for things that aren't
# coroutines. Runs on CPython too (MicroPython-only parts skip there).
import asyncio
import hwtest
from hwtest import eq, true, raises, araises


async def value_after(n, value):
    for _ in range(n):
        await asyncio.sleep(0)
    return value


async def fail_after(n, exc):
    for _ in range(n):
        await asyncio.sleep(0)
    raise exc


async def test_create_and_await():
    t = asyncio.create_task(value_after(2, "v"))
    true(isinstance(t, asyncio.Task), "create_task returns a Task")
    eq(t.done(), False, "done before running")
    eq(await t, "v")
    eq(t.done(), True, "done after await")
    eq(await t, "v", "second await of a finished task")


async def test_task_runs_without_being_awaited():
    seen = []

    async def record():
        seen.append(1)

    asyncio.create_task(record())
    eq(seen, [], "a new task doesn't run before the creator yields")
    await asyncio.sleep(0)
    eq(seen, [1])


async def test_exception_reaches_awaiter():
    t = asyncio.create_task(fail_after(1, KeyError("k")))
    e = await araises(KeyError, t)
    eq(e.args, ("k",))
    eq(t.done(), True)
    # awaiting it again raises the same exception again
    eq((await araises(KeyError, t)).args, ("k",))


async def test_tasks_run_in_creation_order():
    order = []

    async def step(name):
        order.append(name)
        await asyncio.sleep(0)
        order.append(name)

    for name in "abc":
        asyncio.create_task(step(name))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    eq("".join(order), "abcabc")


async def test_current_task():
    me = asyncio.current_task()
    true(isinstance(me, asyncio.Task), "current_task is a Task")

    async def report():
        return asyncio.current_task()

    child = asyncio.create_task(report())
    true((await child) is child, "current_task inside a child is the child")
    true(asyncio.current_task() is me, "and back in the parent it is the parent")


def test_current_task_outside_loop():
    raises(RuntimeError, asyncio.current_task)


async def test_cancel_return_value():
    t = asyncio.create_task(value_after(1, 1))
    eq(t.cancel(), True, "cancel of a pending task")
    await araises(asyncio.CancelledError, t)
    eq(t.done(), True)
    eq(t.cancel(), False, "cancel of a cancelled task")
    done_task = asyncio.create_task(value_after(0, 2))
    eq(await done_task, 2)
    eq(done_task.cancel(), False, "cancel of a finished task")
    eq(await done_task, 2, "still returns its value")


async def test_data_attribute():
    # Tutorial 7.9: when finished, .data is the result, or the exception
    # (CancelledError when cancelled). Stock upstream keeps a StopIteration there.
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("MicroPython extension")
    ok = asyncio.create_task(value_after(1, 42))
    bad = asyncio.create_task(fail_after(1, ValueError("x")))
    cancelled = asyncio.create_task(value_after(5, 0))
    await asyncio.sleep(0)
    cancelled.cancel()
    await araises(ValueError, bad)
    await araises(asyncio.CancelledError, cancelled)
    eq(await ok, 42)
    eq(ok.data, 42, "data of a finished task")
    true(isinstance(bad.data, ValueError), "data of a failed task: %r" % (bad.data,))
    true(
        isinstance(cancelled.data, asyncio.CancelledError),
        "data of a cancelled task: %r" % (cancelled.data,),
    )


async def test_loop_create_task():
    t = asyncio.get_event_loop().create_task(value_after(1, "loop"))
    true(isinstance(t, asyncio.Task), "is a Task")
    eq(await t, "loop")


async def test_create_task_needs_a_coroutine():
    async def coro_fn():
        pass

    raises(TypeError, asyncio.create_task, coro_fn)  # the function, not a coroutine
    raises(TypeError, asyncio.create_task, 5)
    raises(TypeError, asyncio.create_task, None)


def test_run_needs_a_coroutine():
    async def coro_fn():
        pass

    # CPython raises ValueError here, MicroPython TypeError: both are clear
    raises((TypeError, ValueError), asyncio.run, coro_fn)
    raises((TypeError, ValueError), asyncio.run, 42)


async def test_await_non_awaitable():
    async def bad():
        await 5

    await araises(TypeError, asyncio.create_task(bad()))


def test_run_returns_value():
    eq(asyncio.run(value_after(3, (1, 2))), (1, 2))
    raises(OSError, asyncio.run, fail_after(2, OSError(7)))


hwtest.main()

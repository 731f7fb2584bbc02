# expect: cpython
# Task.result/exception/cancelled before and after completion, names,
# get_coro, add_done_callback (called once done, also when added late),
# remove_done_callback, all_tasks().
import asyncio
from asyncio import all_tasks


async def ok():
    await asyncio.sleep(0.01)
    return 42


async def bad():
    await asyncio.sleep(0)
    raise ValueError("boom")


async def main():
    calls = []
    c = ok()
    t = asyncio.create_task(c)
    print("coro is ours:", t.get_coro() is c)
    try:
        t.result()
    except asyncio.InvalidStateError:
        print("result too early: InvalidStateError")
    try:
        t.exception()
    except asyncio.InvalidStateError:
        print("exception too early: InvalidStateError")
    print("cancelled before:", t.cancelled())

    def cb(task):
        calls.append(("cb", task.result()))

    def cb2(task):
        calls.append(("cb2", task.result()))

    t.add_done_callback(cb)
    t.add_done_callback(cb2)
    t.add_done_callback(cb2)
    print("removed:", t.remove_done_callback(cb2))
    print("removed again:", t.remove_done_callback(cb2))
    print("all_tasks has it:", t in all_tasks(), asyncio.current_task() in all_tasks())
    print("awaited:", await t)
    await asyncio.sleep(0)
    print("callbacks:", calls)
    print("result:", t.result(), "exception:", t.exception(), "cancelled:", t.cancelled())
    print("all_tasks after:", t in all_tasks())
    t.add_done_callback(lambda task: calls.append("late"))
    await asyncio.sleep(0)
    print("late callback:", calls[-1])

    b = asyncio.create_task(bad())
    try:
        await b
    except ValueError:
        pass
    print("exception:", repr(str(b.exception())), "cancelled:", b.cancelled())
    try:
        b.result()
    except ValueError as e:
        print("result raises:", e)

    s = asyncio.create_task(asyncio.sleep(1))
    await asyncio.sleep(0)
    s.cancel()
    seen = []
    s.add_done_callback(lambda task: seen.append(task.cancelled()))
    try:
        await s  # (the callback came first: it runs before this returns)
    except asyncio.CancelledError:
        pass
    print("cancelled:", s.cancelled(), "callback saw:", seen)
    try:
        s.result()
    except asyncio.CancelledError:
        print("result of cancelled: CancelledError")
    try:
        s.exception()
    except asyncio.CancelledError:
        print("exception of cancelled: CancelledError")

    n = asyncio.create_task(ok())
    n.set_name("worker-1")
    print("name:", n.get_name())
    n.set_name(7)
    print("name from int:", repr(n.get_name()))
    print("default name is a str:", type(asyncio.create_task(ok()).get_name()).__name__)
    await asyncio.sleep(0.02)


asyncio.run(main())

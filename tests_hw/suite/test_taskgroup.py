# expect: cpython
# TaskGroup: waits for its children; a failing child cancels the others and
# the body, the failures come out as one ExceptionGroup with .exceptions;
# an exception in the body also cancels the children; no new tasks once done.
import asyncio

try:
    EG = ExceptionGroup
except NameError:
    EG = asyncio.ExceptionGroup


async def work(name, delay, log, fail=False):
    # delay: seconds to sleep, or an Event to wait for (children that must
    # wake in the same turn: two sleeps started in different ticks of a 1 ms
    # clock fall due a tick apart, and the group reacts in between; and
    # children that must still be waiting when the group is cancelled, which
    # a sleep can't promise on a loaded machine)
    try:
        if isinstance(delay, asyncio.Event):
            await delay.wait()
        else:
            await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log.append(name + " cancelled")
        raise
    if fail:
        raise ValueError(name)
    log.append(name + " done")
    return name


async def main():
    log = []
    async with asyncio.TaskGroup() as tg:
        t1 = tg.create_task(work("a", 0.02, log))
        t2 = tg.create_task(work("b", 0.01, log))
    print(sorted(log), t1.result(), t2.result())  # (their order is the sleeps')

    never = asyncio.Event()
    log = []
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(work("ok", never, log))
            tg.create_task(work("bad", 0.01, log, fail=True))
            await asyncio.sleep(1)
            log.append("body not cancelled?!")
    except EG as e:
        print("group:", type(e).__name__, len(e.exceptions), [str(x) for x in e.exceptions])
        print(str(e))
    print(log)

    log = []
    go = asyncio.Event()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(work("c1", go, log, fail=True))
            tg.create_task(work("c2", go, log, fail=True))
            await asyncio.sleep(0.01)
            go.set()
    except EG as e:
        print("two failures:", sorted(str(x) for x in e.exceptions))
    print(sorted(log))

    log = []
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(work("child", never, log))
            await asyncio.sleep(0)
            raise KeyError("body")
    except EG as e:
        print("body failure:", [type(x).__name__ for x in e.exceptions])
    print(log)

    late = work("late", 0, log)
    try:
        tg.create_task(late)
    except RuntimeError:
        print("create_task after exit: RuntimeError")
        late.close()

    # cancelling the task that runs the group cancels the children
    log = []

    async def outer():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(work("inner", never, log))
            await asyncio.sleep(1)

    t = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outer cancelled", log)


asyncio.run(main())

# expect: cpython
# Several parties watching one task at once, as CPython allows: done
# callbacks, plain awaits, gather(), wait_for(), wait() and shield() in any
# combination and order, each told once, callbacks and awaiters in the
# order they came. And a Semaphore newcomer queueing behind a waiter that
# was handed a permit but has not run yet (CPython 3.11.7+).
import asyncio

# a wait that must end: the limit only stops a hang (emulated boards stall)
ENDS = 10

KINDS = ("callback", "await", "gather", "wait_for", "wait", "shield")


async def work(go):
    # finishes when released: every watcher is in place by then, however
    # slow the machine
    await go.wait()
    return "v"


def watch(kind, t, log):
    # Start watching t the given way; a task for the awaiting kinds.
    if kind == "callback":
        t.add_done_callback(lambda f: log.append("callback:" + f.result()))
        return None

    async def observer():
        if kind == "await":
            r = await t
        elif kind == "gather":
            r = (await asyncio.gather(t))[0]
        elif kind == "wait_for":
            r = await asyncio.wait_for(t, ENDS)
        elif kind == "wait":
            await asyncio.wait([t])
            r = t.result()
        else:
            r = await asyncio.shield(t)
        log.append(kind + ":" + r)

    return asyncio.create_task(observer())


async def every_pair():
    for first in KINDS:
        row = []
        for second in KINDS:
            log = []
            go = asyncio.Event()
            t = asyncio.create_task(work(go))
            watchers = []
            for kind in (first, second):
                w = watch(kind, t, log)
                if w is not None:
                    watchers.append(w)
                await asyncio.sleep(0)
            go.set()
            for w in watchers:
                await w
            while not t.done():
                await asyncio.sleep(0)
            await asyncio.sleep(0)  # callbacks get their turn
            row.append(len(log) == 2 and sorted(log) == sorted([first + ":v", second + ":v"]))
        print(first, "with", "/".join(KINDS), ":", row)


async def callbacks_and_awaiters_in_order():
    log = []
    go = asyncio.Event()
    t = asyncio.create_task(work(go))

    async def waiter(name):
        await t
        log.append(name)

    t.add_done_callback(lambda f: log.append("cb1"))
    a1 = asyncio.create_task(waiter("aw1"))
    await asyncio.sleep(0)
    t.add_done_callback(lambda f: log.append("cb2"))
    a2 = asyncio.create_task(waiter("aw2"))
    await asyncio.sleep(0)
    removed = lambda f: log.append("removed")  # noqa: E731
    t.add_done_callback(removed)
    print("removed:", t.remove_done_callback(removed))
    go.set()
    await asyncio.gather(a1, a2)
    await asyncio.sleep(0)
    print("order:", log)


async def background_tasks_pattern():
    # CPython's documented idiom: keep references, discard on completion.
    background = set()
    tasks = []
    for i in range(3):
        t = asyncio.create_task(asyncio.sleep(0.005, i))
        background.add(t)
        t.add_done_callback(background.discard)
        tasks.append(t)
    print("gathered:", await asyncio.gather(*tasks), "left:", len(background))


async def semaphore_newcomer_queues():
    log = []
    sem = asyncio.Semaphore(0)

    async def holder():
        async with sem:
            log.append("waiter")

    w = asyncio.create_task(holder())
    await asyncio.sleep(0)
    sem.release()  # handed to the waiter, which has not run yet
    sem.release()  # a free permit
    await sem.acquire()  # queues behind the waiter
    log.append("newcomer")
    await w
    print("semaphore:", log)


async def main():
    await every_pair()
    await callbacks_and_awaiters_in_order()
    await background_tasks_pattern()
    await semaphore_newcomer_queues()


asyncio.run(main())

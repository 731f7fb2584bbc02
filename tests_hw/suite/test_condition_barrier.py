# expect: cpython
# Condition: wait() needs the lock, notify(n)/notify_all() wake waiters in
# order, wait_for(predicate). Barrier: index per arrival, several rounds,
# abort() breaks it, reset() lets it be used again; a cancelled party gives
# its place back.
import asyncio


async def main():
    cond = asyncio.Condition()
    log = []
    ready = []

    async def waiter(name):
        async with cond:
            await cond.wait()
            log.append(name)

    ts = [asyncio.create_task(waiter(n)) for n in "abcd"]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
    await asyncio.sleep(0.01)
    print("after notify(1):", log)
    async with cond:
        cond.notify(2)
    await asyncio.sleep(0.01)
    print("after notify(2):", log)
    async with cond:
        cond.notify_all()
    await asyncio.gather(*ts)
    print("after notify_all:", log)
    try:
        await cond.wait()
    except RuntimeError:
        print("wait without lock: RuntimeError")
    try:
        cond.notify()
    except RuntimeError:
        print("notify without lock: RuntimeError")

    async def until_three():
        async with cond:
            r = await cond.wait_for(lambda: len(ready) >= 3)
            return r

    t = asyncio.create_task(until_three())
    for i in range(3):
        await asyncio.sleep(0)
        async with cond:
            ready.append(i)
            cond.notify_all()
    print("wait_for:", await t, "locked after:", cond.locked())

    # Barrier
    b = asyncio.Barrier(3)
    print("parties:", b.parties, "waiting:", b.n_waiting, "broken:", b.broken)
    seen = []

    async def member(name, rounds):
        for r in range(rounds):
            i = await b.wait()
            seen.append((r, name, i))

    ts = [asyncio.create_task(member(n, 2)) for n in "xyz"]
    await asyncio.sleep(0)
    await asyncio.gather(*ts)
    print(sorted(seen))
    print("waiting after:", b.n_waiting)

    async def lone():
        try:
            await b.wait()
        except asyncio.BrokenBarrierError:
            return "broken"

    t = asyncio.create_task(lone())
    await asyncio.sleep(0)
    print("one waiting:", b.n_waiting)
    await b.abort()
    print("lone:", await t, "broken:", b.broken)
    try:
        await b.wait()
    except asyncio.BrokenBarrierError:
        print("wait on broken: BrokenBarrierError")
    await b.reset()
    print("after reset broken:", b.broken)
    async with asyncio.Barrier(1) as idx:
        print("single-party index:", idx)

    # A party cancelled, or timed out, while its round fills gives its place
    # back: the round still needs `parties` tasks that stay.
    b = asyncio.Barrier(3)

    async def party():
        return await b.wait()

    t1 = asyncio.create_task(party())
    t2 = asyncio.create_task(party())
    await asyncio.sleep(0)
    t1.cancel()
    await asyncio.sleep(0)
    print("after cancel waiting:", b.n_waiting, t1.cancelled())
    try:
        await asyncio.wait_for(b.wait(), 0.01)
    except asyncio.TimeoutError:
        print("timed out, waiting:", b.n_waiting)
    got = await asyncio.gather(t2, party(), party())
    print("indices:", sorted(got), "waiting:", b.n_waiting, "broken:", b.broken)


asyncio.run(main())

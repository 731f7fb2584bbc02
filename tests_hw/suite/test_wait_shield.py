# expect: cpython
# wait() with FIRST_COMPLETED / FIRST_EXCEPTION / ALL_COMPLETED and a
# timeout returns (done, pending) sets; as_completed() gives results in
# completion order and times out; shield() keeps the inner task alive when
# the awaiting task is cancelled.
import asyncio


async def job(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    return name


def names(tasks):
    return sorted(t.result() if not t.exception() else "E:" + str(t.exception()) for t in tasks)


async def main():
    ts = [asyncio.create_task(job(n, d)) for n, d in (("a", 0.03), ("b", 0.01), ("c", 0.05))]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("first:", names(done), len(pending))
    done, pending = await asyncio.wait(ts, timeout=0.035)
    print("timeout:", names(done), len(pending))
    done, pending = await asyncio.wait(ts)
    print("all:", names(done), len(pending), type(done).__name__)

    ts = [asyncio.create_task(job("x", 0.01, fail=True)), asyncio.create_task(job("y", 0.05))]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("first exception:", names(done), len(pending))
    await asyncio.wait(pending)
    try:
        await asyncio.wait([])
    except ValueError:
        print("empty: ValueError")
    try:
        await asyncio.wait(ts, return_when="SOMETIME")
    except ValueError:
        print("bad return_when: ValueError")

    ts = [asyncio.create_task(job(n, d)) for n, d in (("slow", 0.04), ("fast", 0.01), ("mid", 0.02))]
    order = []
    for aw in asyncio.as_completed(ts):
        order.append(await aw)
    print("as_completed:", order)
    ts = [asyncio.create_task(job(n, d)) for n, d in (("q", 0.01), ("never", 1))]
    got = []
    try:
        for aw in asyncio.as_completed(ts, timeout=0.03):
            got.append(await aw)
    except asyncio.TimeoutError:
        print("as_completed timeout after", got)
    ts[1].cancel()

    inner = asyncio.create_task(job("inner", 0.03))

    async def outer():
        return await asyncio.shield(inner)

    o = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    o.cancel()
    try:
        await o
    except asyncio.CancelledError:
        print("outer cancelled, inner cancelled:", inner.cancelled())
    print("inner result:", await inner)
    try:
        await asyncio.wait_for(asyncio.shield(job("slow", 0.05)), 0.01)
    except asyncio.TimeoutError:
        print("wait_for(shield) timed out")
    print("shield of done task:", await asyncio.shield(inner))


asyncio.run(main())

# expect: cpython
# wait() with FIRST_COMPLETED / FIRST_EXCEPTION / ALL_COMPLETED and a
# timeout returns (done, pending) sets; as_completed() gives results in
# completion order and times out; shield() keeps the inner task alive when
# the awaiting task is cancelled.
# Jobs finish when their Event is set, not after a sleep, so which ones are
# done when a wait returns can't depend on load; timeouts only ever race
# jobs that are never released.
import asyncio


async def job(name, go, fail=False):
    await go.wait()
    if fail:
        raise ValueError(name)
    return name


def start(*specs):
    # A task per name ("!" in front: it fails), each with the Event that
    # releases it.
    gos = [asyncio.Event() for _ in specs]
    tasks = [
        asyncio.create_task(job(s.lstrip("!"), go, s.startswith("!")))
        for s, go in zip(specs, gos)  # noqa: B905  (MicroPython's zip has no strict=)
    ]
    return tasks, gos


def names(tasks):
    return sorted(t.result() if not t.exception() else "E:" + str(t.exception()) for t in tasks)


async def main():
    ts, (go_a, go_b, go_c) = start("a", "b", "c")
    go_b.set()
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("first:", names(done), len(pending))
    go_a.set()  # a finishes during this wait, c never does: the timeout ends it
    done, pending = await asyncio.wait(ts, timeout=0.02)
    print("timeout:", names(done), len(pending))
    go_c.set()
    done, pending = await asyncio.wait(ts)
    print("all:", names(done), len(pending), type(done).__name__)

    ts, (go_x, go_y) = start("!x", "y")
    go_x.set()
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
    print("first exception:", names(done), len(pending))
    go_y.set()
    await asyncio.wait(pending)
    try:
        await asyncio.wait([])
    except ValueError:
        print("empty: ValueError")
    try:
        await asyncio.wait(ts, return_when="SOMETIME")
    except ValueError:
        print("bad return_when: ValueError")

    # Finish order fast, mid, slow, each released once the one before has
    # come out (ours gives tasks that finished between two looks in
    # argument order; CPython in the order they finished).
    (slow, fast, mid), (go_slow, go_fast, go_mid) = start("slow", "fast", "mid")
    go_fast.set()
    later = [go_mid, go_slow]
    order = []
    for aw in asyncio.as_completed([slow, fast, mid]):
        order.append(await aw)
        if later:
            later.pop(0).set()
    print("as_completed:", order)
    # q has finished before as_completed() starts; never is never released
    (q, never), (go_q, _) = start("q", "never")
    go_q.set()
    await q
    got = []
    try:
        for aw in asyncio.as_completed([q, never], timeout=0.03):
            got.append(await aw)
    except asyncio.TimeoutError:
        print("as_completed timeout after", got)
    never.cancel()

    (inner,), (go_inner,) = start("inner")

    async def outer():
        return await asyncio.shield(inner)

    o = asyncio.create_task(outer())
    await asyncio.sleep(0)  # outer now awaits the shield
    o.cancel()
    try:
        await o
    except asyncio.CancelledError:
        print("outer cancelled, inner cancelled:", inner.cancelled())
    go_inner.set()
    print("inner result:", await inner)
    (held,), (go_held,) = start("held")
    try:
        await asyncio.wait_for(asyncio.shield(held), 0.01)
    except asyncio.TimeoutError:
        print("wait_for(shield) timed out, held cancelled:", held.cancelled())
    go_held.set()
    print("held result:", await held)
    print("shield of done task:", await asyncio.shield(inner))


asyncio.run(main())

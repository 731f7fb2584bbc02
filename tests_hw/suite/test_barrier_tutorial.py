# Barrier as the tutorial (section 3.7) uses it, on top of CPython's API:
# `await barrier` in while-True loops (a provider and senders meeting twice
# per round), a callback run as the barrier trips (its result() is the
# callback's value, or the Task of a coroutine), trigger() for a party that
# passes without waiting, busy().
import asyncio
import hwtest
from hwtest import eq, true

Barrier = hwtest.require("asyncio.Barrier")


async def test_provider_and_senders_rendezvous():
    barrier = Barrier(3)
    log = []
    data = [None]

    async def provider(rounds):
        for n in range(rounds):
            data[0] = n
            log.append("provide %d" % n)
            await barrier  # free the senders
            await barrier  # until the last sender is done

    async def sender(i):
        while True:
            await barrier
            await asyncio.sleep_ms(3 * i)  # senders take different times
            log.append("sent %d by %d" % (data[0], i))
            await barrier

    senders = [asyncio.create_task(sender(i)) for i in (1, 2)]
    await provider(3)
    for t in senders:
        t.cancel()
    # Which sender finishes first is the sleeps' business (3 ms apart: load
    # can swap them); the barrier's is that both send between two provides.
    rounds = [log[i : i + 3] for i in range(0, len(log), 3)]
    eq(len(log), 9, "three rounds of three: %r" % log)
    for n, r in enumerate(rounds):
        eq(
            [r[0]] + sorted(r[1:]),
            ["provide %d" % n, "sent %d by 1" % n, "sent %d by 2" % n],
            "round %d: data provided, then sent by both, before the next" % n,
        )


async def test_callback_runs_before_release_and_result():
    order = []
    barrier = Barrier(2, lambda tag: order.append("callback " + tag) or 42, ("x",))

    async def party(name):
        await barrier
        order.append(name)

    await asyncio.gather(party("a"), party("b"))
    eq(order[0], "callback x", "the callback runs before anyone is released")
    eq(sorted(order[1:]), ["a", "b"])
    eq(barrier.result(), 42)

    async def coro_cb():
        return "from task"

    barrier = Barrier(1, coro_cb)
    await barrier
    t = barrier.result()
    true(isinstance(t, asyncio.Task), "a coroutine callback runs as a Task")
    eq(await t, "from task")


async def test_trigger_and_busy():
    # Two workers pass the barrier by trigger(); one task waits until both
    # have, as in the tutorial's shutdown example.
    barrier = Barrier(3)
    eq(barrier.busy(), False)

    async def worker(go):
        await go.wait()
        barrier.trigger()

    # (Events, not sleeps of 5 and 10 ms around a check at 7: load could
    # move either across it)
    first, second = asyncio.Event(), asyncio.Event()
    asyncio.create_task(worker(first))
    asyncio.create_task(worker(second))
    first.set()
    await asyncio.sleep_ms(0)
    await asyncio.sleep_ms(0)
    true(barrier.busy(), "one party has passed")
    second.set()  # the second passes while this task waits
    await asyncio.wait_for_ms(barrier.wait(), hwtest.ENDS * 1000)
    await asyncio.sleep_ms(0)
    eq(barrier.busy(), False, "a fresh round after the release")
    # triggers alone complete a round too, and the barrier is reusable
    for _ in range(3):
        barrier.trigger()
    eq(barrier.busy(), False)


hwtest.main()

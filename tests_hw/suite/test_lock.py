# Lock: locked(), acquire/release, async with (also on exceptions), release
# of an unlocked lock raises RuntimeError, waiters get the lock in FIFO order,
# cancelled waiters never deadlock it. Runs on CPython too.
import asyncio
import hwtest
from hwtest import eq, raises, araises


async def test_acquire_release():
    lock = asyncio.Lock()
    eq(lock.locked(), False, "starts unlocked")
    eq(await lock.acquire(), True, "acquire returns True")
    eq(lock.locked(), True)
    lock.release()
    eq(lock.locked(), False)


def test_release_unlocked_raises():
    lock = asyncio.Lock()
    raises(RuntimeError, lock.release)
    eq(lock.locked(), False, "still usable")


async def test_release_twice_raises():
    lock = asyncio.Lock()
    await lock.acquire()
    lock.release()
    raises(RuntimeError, lock.release)


async def test_async_with_releases_on_exception():
    lock = asyncio.Lock()
    async with lock:
        eq(lock.locked(), True, "held inside async with")
    eq(lock.locked(), False, "released after")
    try:
        async with lock:
            raise ValueError("inside")
    except ValueError:
        pass
    eq(lock.locked(), False, "released after an exception")


async def test_mutual_exclusion():
    lock = asyncio.Lock()
    inside = []
    overlap = []

    async def worker(i):
        for _ in range(3):
            async with lock:
                inside.append(i)
                if len(inside) > 1:
                    overlap.append(list(inside))
                await asyncio.sleep(0)
                inside.remove(i)
            await asyncio.sleep(0)

    await asyncio.gather(*[worker(i) for i in range(4)])
    eq(overlap, [], "never two holders")


async def test_fifo_fairness():
    lock = asyncio.Lock()
    order = []

    async def worker(name):
        for _ in range(2):
            async with lock:
                order.append(name)
                await asyncio.sleep(0)

    await lock.acquire()
    tasks = [asyncio.create_task(worker(n)) for n in "abc"]
    await asyncio.sleep(0)  # all three now queued on the lock, in order
    lock.release()
    for t in tasks:
        await t
    # A releaser that immediately re-acquires queues behind the others.
    eq("".join(order), "abcabc")


async def test_release_hands_over_to_waiter():
    # Released with a waiter queued: the lock is the waiter's, so a third
    # task trying in between cannot barge in (spec 001: "the lock remains
    # locked"). locked() meanwhile says False, as CPython does and as
    # upstream's tests/extmod/asyncio_lock.py requires ("task release False").
    lock = asyncio.Lock()
    got = []

    async def want(name):
        await lock.acquire()
        got.append(name)
        lock.release()

    await lock.acquire()
    first = asyncio.create_task(want("queued"))
    await asyncio.sleep(0)
    lock.release()
    eq(lock.locked(), False, "locked() during the hand-off")
    second = asyncio.create_task(want("barger"))
    await first
    await second
    eq(got, ["queued", "barger"])
    eq(lock.locked(), False)


async def test_cancelled_waiters_do_not_deadlock():
    lock = asyncio.Lock()
    await lock.acquire()
    waiters = [asyncio.create_task(lock.acquire()) for _ in range(3)]
    await asyncio.sleep(0)
    for w in waiters:
        w.cancel()
    for w in waiters:
        await araises(asyncio.CancelledError, w)
    lock.release()
    eq(lock.locked(), False, "no cancelled waiter kept it")
    eq(await asyncio.wait_for(lock.acquire(), hwtest.ENDS), True)
    lock.release()


async def test_acquire_timeout_then_lock_still_works():
    lock = asyncio.Lock()
    await lock.acquire()
    await araises(asyncio.TimeoutError, asyncio.wait_for(lock.acquire(), 0.02))
    lock.release()
    eq(lock.locked(), False, "the timed-out waiter didn't take it")
    async with lock:
        pass


hwtest.main()

# expect: cpython
# Semaphore/BoundedSemaphore: a count of permits; waiters get them in FIFO
# order, a waiter cancelled while waiting takes no permit, release() beyond
# the bound of a BoundedSemaphore is a ValueError.
import asyncio

log = []


async def worker(sem, name, hold):
    async with sem:
        log.append(name + " in")
        await asyncio.sleep(hold)
        log.append(name + " out")


async def main():
    sem = asyncio.Semaphore(2)
    print("locked at start:", sem.locked())
    # Holds 20 ms apart, so no two releases fall in the same clock tick on a
    # slow board (equal holds made the order of "b out"/"c in" a coin toss).
    holds = {"a": 0.01, "b": 0.03, "c": 0.05, "d": 0.07, "e": 0.09}
    tasks = [asyncio.create_task(worker(sem, n, holds[n])) for n in "abcde"]
    await asyncio.sleep(0.005)
    print("locked with two in:", sem.locked())
    await asyncio.gather(*tasks)
    print(log)
    print("locked after:", sem.locked())

    # acquire()/release() by hand, and a cancelled waiter loses its turn
    sem = asyncio.Semaphore(0)
    got = []

    async def taker(name):
        await sem.acquire()
        got.append(name)

    ts = [asyncio.create_task(taker(n)) for n in ("x", "y", "z")]
    await asyncio.sleep(0)
    ts[1].cancel()
    await asyncio.sleep(0)
    sem.release()
    sem.release()
    await asyncio.sleep(0.01)
    print("got:", got, "y cancelled:", ts[1].cancelled())
    print("acquire free permit:", sem.locked())

    b = asyncio.BoundedSemaphore(1)
    await b.acquire()
    b.release()
    try:
        b.release()
    except ValueError:
        print("bounded: ValueError")
    try:
        asyncio.Semaphore(-1)
    except ValueError:
        print("negative: ValueError")


asyncio.run(main())

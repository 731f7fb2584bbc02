# expect: cpython
# Semaphore/BoundedSemaphore: a count of permits; waiters get them in FIFO
# order, a waiter cancelled while waiting takes no permit, release() beyond
# the bound of a BoundedSemaphore is a ValueError.
import asyncio

log = []


async def worker(sem, name, go):
    async with sem:
        log.append(name + " in")
        await go.wait()
        log.append(name + " out")


async def settle(n):
    # Let woken tasks run until the log has n lines (rounds, not time, so
    # load can't reorder what follows).
    for _ in range(100):
        if len(log) >= n:
            return
        await asyncio.sleep(0)


async def main():
    sem = asyncio.Semaphore(2)
    print("locked at start:", sem.locked())
    gos = {n: asyncio.Event() for n in "abcde"}
    tasks = [asyncio.create_task(worker(sem, n, gos[n])) for n in "abcde"]
    await settle(2)
    print("locked with two in:", sem.locked())
    # Holders leave one at a time; each permit goes to the longest waiter.
    for n, lines in zip("abcde", (4, 6, 8, 9, 10)):  # noqa: B905  (MicroPython's zip has no strict=)
        gos[n].set()
        await settle(lines)
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

# expect: cpython
# sleep(): tasks wake in deadline order, sleep(0) is a plain round-robin
# yield, float seconds work. Deadlines are 100 ms apart: no delay between
# the sleepers' first steps on a loaded machine comes near that.
import asyncio

log = []


async def sleeper(name, seconds):
    await asyncio.sleep(seconds)
    log.append(name)


async def spinner(name, rounds):
    for i in range(rounds):
        log.append(name + str(i))
        await asyncio.sleep(0)


async def main():
    # created longest first: wake order must follow the deadlines
    tasks = [asyncio.create_task(sleeper(n, s)) for n, s in (("c", 0.3), ("b", 0.2), ("a", 0.1))]
    await asyncio.gather(*tasks)
    print("deadline order:", log)
    print("all done:", [t.done() for t in tasks])

    log.clear()
    await asyncio.gather(spinner("x", 3), spinner("y", 3))
    print("sleep(0) round robin:", log)

    log.clear()
    # a zero sleep lets every ready task run once before the sleeper resumes
    asyncio.create_task(spinner("z", 2))
    await asyncio.sleep(0)
    log.append("main")
    await asyncio.sleep(0.01)
    print("zero sleep yields:", log)

    print("sleep returns None:", await asyncio.sleep(0.001))
    # integer seconds and float seconds
    await asyncio.sleep(0)
    await asyncio.sleep(0.0)
    print("done")


asyncio.run(main())

# expect: cpython
# Queue, LifoQueue, PriorityQueue: ordering, maxsize back-pressure, the
# *_nowait errors, qsize/empty/full, task_done/join, cancelled getters.
import asyncio

# a wait that must end: the limit only stops a hang (emulated boards stall)
ENDS = 10


async def main():
    q = asyncio.Queue()
    print(q.empty(), q.full(), q.qsize())
    for i in range(3):
        q.put_nowait(i)
    print([q.get_nowait() for _ in range(3)])
    try:
        q.get_nowait()
    except asyncio.QueueEmpty:
        print("QueueEmpty")

    q = asyncio.Queue(maxsize=2)
    q.put_nowait("a")
    q.put_nowait("b")
    print("full:", q.full(), q.qsize())
    try:
        q.put_nowait("c")
    except asyncio.QueueFull:
        print("QueueFull")
    log = []

    async def producer():
        for i in range(5):
            await q.put(i)
            log.append("put %d" % i)

    async def consumer():
        for _ in range(7):
            item = await q.get()
            log.append("got %s" % item)
            q.task_done()
            await asyncio.sleep(0)

    await asyncio.gather(producer(), consumer())
    print(log)
    await asyncio.wait_for(q.join(), ENDS)
    print("joined, empty:", q.empty())
    try:
        q.task_done()
    except ValueError:
        print("task_done too often: ValueError")

    # join() waits for task_done()
    q = asyncio.Queue()
    q.put_nowait(1)
    order = []

    async def joiner():
        await q.join()
        order.append("joined")

    j = asyncio.create_task(joiner())
    await asyncio.sleep(0)
    order.append("get %d" % q.get_nowait())
    await asyncio.sleep(0)
    order.append("done")
    q.task_done()
    await j
    print(order)

    lq = asyncio.LifoQueue()
    pq = asyncio.PriorityQueue()
    for x in (5, 1, 4, 2, 3, 1):
        lq.put_nowait(x)
        pq.put_nowait((x, "p%d" % x))
    print([lq.get_nowait() for _ in range(6)])
    print([pq.get_nowait()[0] for _ in range(6)])

    # a getter cancelled while waiting doesn't swallow the next item
    q = asyncio.Queue()
    g1 = asyncio.create_task(q.get())
    g2 = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    g1.cancel()
    await asyncio.sleep(0)
    q.put_nowait("item")
    print("g2 got:", await g2, "g1 cancelled:", g1.cancelled())

    # blocked getter is woken by put
    q = asyncio.Queue()

    async def late_put():
        await asyncio.sleep(0.01)
        await q.put("late")

    asyncio.create_task(late_put())
    print("waited for:", await q.get())


asyncio.run(main())

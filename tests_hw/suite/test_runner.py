# expect: cpython
# asyncio.Runner (CPython 3.11): a context manager whose run() calls share
# one loop and its state; get_loop(); close() cancels the tasks left
# behind (they see CancelledError) and reports one that fails instead;
# run() refuses a non-coroutine, a closed runner, a running loop.
# Also as_completed() in completion order (3.11: a plain iterator of
# awaitables), and tasks given to it already finished.
import asyncio

shared = []
gone = []


async def leftover(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        gone.append(name)  # (CPython cancels them in set order: sorted below)
        raise


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        raise ValueError("refused to die") from None


async def first():
    shared.append(asyncio.get_running_loop())
    asyncio.create_task(leftover("left-1"))
    asyncio.create_task(leftover("left-2"))
    await asyncio.sleep(0)
    return "one"


async def second():
    shared.append(asyncio.get_running_loop())
    return "two"


async def nested(runner):
    c = second()
    try:
        runner.run(c)
    except RuntimeError as e:
        print("run in a running loop:", e)
    c.close()


def handler(loop, context):
    e = context["exception"]
    print("handler:", context["message"], type(e).__name__, e)


def runners():
    with asyncio.Runner() as runner:
        print(runner.run(first()))
        print(runner.run(second()))
        print("same loop:", shared[0] is shared[1] is runner.get_loop())
        try:
            runner.run(second)
        except ValueError:
            print("not a coroutine: ValueError")
        runner.run(nested(runner))
    print("cancelled at close:", sorted(gone))
    c = second()
    try:
        runner.run(c)
    except RuntimeError as e:
        print("after close:", e)
    c.close()

    runner = asyncio.Runner()
    runner.get_loop().set_exception_handler(handler)

    async def start_stubborn():
        asyncio.create_task(stubborn())
        await asyncio.sleep(0)

    runner.run(start_stubborn())
    runner.close()
    runner.close()  # twice: nothing more
    print("closed twice")
    asyncio.Runner().close()  # never used: nothing to close
    print("unused closed")


async def finish_in(order, go, name):
    await go.wait()
    return name


async def completion_order():
    gos = [asyncio.Event() for _ in range(3)]
    tasks = [asyncio.create_task(finish_in(i, gos[i], "abc"[i])) for i in range(3)]
    it = asyncio.as_completed(tasks)
    fs = [next(it)]  # (CPython 3.11 starts watching at the first next())
    # c, then a, then b finish, each in a round of its own; all before the
    # results are asked for
    for i in (2, 0, 1):
        gos[i].set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    fs.extend(it)
    results = []
    for f in fs:
        results.append(await f)
    print("as completed:", results)
    done = asyncio.create_task(asyncio.sleep(0, "early"))
    await asyncio.sleep(0)
    for f in asyncio.as_completed([done]):
        print("already done:", await f)


runners()
asyncio.run(completion_order())

# expect: cpython
# CPython API that portable code reaches for: get_running_loop() and the
# loop's is_running()/is_closed(), ensure_future(), iscoroutine(),
# sleep(delay, result), create_task(name=), current_task() being None
# inside loop and done callbacks (they run outside any task), cancel(msg).
import asyncio


async def work(x):
    await asyncio.sleep(0.01)
    return x * 2


async def main():
    loop = asyncio.get_running_loop()
    print("same loop:", loop is asyncio.get_event_loop())
    print("running:", loop.is_running(), "closed:", loop.is_closed())
    print("sleep result:", await asyncio.sleep(0.005, "slept"))
    print("sleep(0) result:", await asyncio.sleep(0, 7))

    c = work(1)
    print("iscoroutine:", asyncio.iscoroutine(c), asyncio.iscoroutine(1))
    t = asyncio.ensure_future(c)
    print("ensure_future gives a Task:", isinstance(t, asyncio.Task))
    print("same task back:", asyncio.ensure_future(t) is t)
    print("result:", await t)

    named = asyncio.create_task(work(2), name="worker")
    print("name:", named.get_name())
    print("named result:", await named)

    seen = []
    loop.call_soon(lambda: seen.append(("soon", asyncio.current_task())))
    t = asyncio.create_task(work(3))
    t.add_done_callback(lambda f: seen.append(("done", asyncio.current_task())))
    await t
    await asyncio.sleep(0.01)
    print("in callbacks:", sorted(seen))
    print("in a task:", asyncio.current_task() is not None)

    # cancel(msg): the message reaches the task and its awaiter; a second
    # cancel() before the task runs keeps the first message.
    async def victim(aw):
        try:
            await aw
        except asyncio.CancelledError as e:
            print("inside:", e.args)
            raise

    for aw in (asyncio.sleep(1), asyncio.Event().wait()):
        t = asyncio.create_task(victim(aw))
        await asyncio.sleep(0)
        print("cancel:", t.cancel("first"), t.cancel("second"))
        try:
            await t
        except asyncio.CancelledError as e:
            print("awaiter:", e.args, t.cancelled())


asyncio.run(main())
try:
    asyncio.get_running_loop()
except RuntimeError:
    print("no running loop outside")

# expect: cpython
# asyncio.Future as CPython's callback-style code uses it: loop.create_future(),
# set_result/set_exception/cancel from another task or a loop callback,
# several awaiters, done callbacks (run by the loop, with the future),
# result()/exception() in every state, wait_for() and gather() on futures,
# and cancelling the awaiting task cancelling the future.
import asyncio


def state(f):
    out = [f.done(), f.cancelled()]
    for get in (f.result, f.exception):
        try:
            out.append(get())
        except BaseException as e:
            out.append(type(e).__name__)
    return out


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    print(
        "isfuture:",
        asyncio.isfuture(f),
        asyncio.isfuture(asyncio.sleep),
        asyncio.isfuture(asyncio.current_task()),
    )
    print("pending:", state(f))
    seen = []
    f.add_done_callback(lambda fut: seen.append(("cb1", fut is f, fut.result())))
    f.add_done_callback(lambda fut: seen.append(("cb2", fut.result())))

    async def waiter(name):
        v = await f
        seen.append((name, v))

    ws = [asyncio.create_task(waiter(n)) for n in ("w1", "w2")]
    await asyncio.sleep(0)
    loop.call_soon(f.set_result, 42)
    await asyncio.gather(*ws)
    await asyncio.sleep(0)
    print("seen:", seen)
    print("finished:", state(f))
    try:
        f.set_result(1)
    except asyncio.InvalidStateError as e:
        print("set twice:", type(e).__name__)
    print("await done future:", await f)

    f2 = asyncio.Future()
    f2.set_exception(ValueError("bad"))
    print("failed:", state(f2)[:3], str(f2.exception()))
    try:
        await f2
    except ValueError as e:
        print("await raises:", type(e).__name__, e)
    f3 = asyncio.Future()
    f3.set_exception(KeyError)
    print("exception class instantiated:", type(f3.exception()).__name__)
    try:
        asyncio.Future().set_exception(StopIteration())
    except TypeError:
        print("StopIteration refused")

    f4 = asyncio.Future()
    print("cancel:", f4.cancel(), f4.cancel(), state(f4))
    f4.add_done_callback(lambda fut: seen.append("late cb"))
    seen.clear()
    await asyncio.sleep(0)
    print("callback on a done future runs soon:", seen)

    f5 = asyncio.Future()

    async def blocked():
        await f5

    t = asyncio.create_task(blocked())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("awaiting task cancelled; future cancelled too:", f5.cancelled())

    f6 = asyncio.Future()
    try:
        await asyncio.wait_for(f6, 0.01)
    except asyncio.TimeoutError:
        print("wait_for timed out; future cancelled:", f6.cancelled())

    f7, f8 = asyncio.Future(), asyncio.Future()
    loop.call_later(0.01, f7.set_result, "a")
    loop.call_later(0.02, f8.set_result, "b")
    print("gather:", await asyncio.gather(f7, f8, asyncio.sleep(0.005, "c")))

    f9 = asyncio.Future()
    cb = seen.append
    f9.add_done_callback(cb)
    f9.add_done_callback(cb)
    print("removed:", f9.remove_done_callback(cb), f9.remove_done_callback(cb))
    f9.set_result(None)
    seen.clear()
    await asyncio.sleep(0)
    print("after removal:", seen)


asyncio.run(main())

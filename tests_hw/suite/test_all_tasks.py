# expect: cpython
# all_tasks(): every unfinished task, however early it was created and
# wherever it waits (here some are reachable only from an Event), the
# running task included; finished tasks and loop callbacks are not listed.
# The usual shutdown: cancel everything all_tasks() gives but yourself.
import asyncio


async def main():
    ev = asyncio.Event()

    async def waiter():
        await ev.wait()

    async def sleeper():
        await asyncio.sleep(10)

    ts = [asyncio.create_task(waiter()) for _ in range(3)]
    ts.append(asyncio.create_task(sleeper()))
    await asyncio.sleep(0)
    handle = asyncio.get_running_loop().call_later(10, print, "never")
    finished = asyncio.create_task(asyncio.sleep(0))
    await finished
    found = asyncio.all_tasks()
    print("count:", len(found))
    print("all listed:", all(t in found for t in ts))
    print("running one listed:", asyncio.current_task() in found)
    print("finished one listed:", finished in found)
    del ts, found  # the waiters are now held by the Event only
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me]
    print("others:", len(others))
    for t in others:
        t.cancel()
    handle.cancel()
    await asyncio.sleep(0.01)
    print("cancelled:", sum(t.cancelled() for t in others))
    print("left:", len(asyncio.all_tasks()))


asyncio.run(main())

# expect: cpython
# asyncio.timeout()/timeout_at(): TimeoutError out of the block when the
# deadline passes, nothing when the block ends first; expired(), when(),
# reschedule() (later and earlier, None disables); a timeout reaches into
# an awaited task; external cancellation stays CancelledError.
import asyncio


async def main():
    loop = asyncio.get_event_loop()
    try:
        async with asyncio.timeout(0.02) as cm:
            await asyncio.sleep(1)
        print("not reached")
    except asyncio.TimeoutError:
        print("timed out, expired:", cm.expired())

    async with asyncio.timeout(1) as cm:
        await asyncio.sleep(0.01)
    print("in time, expired:", cm.expired())

    async with asyncio.timeout(None) as cm:
        print("when None:", cm.when())
        await asyncio.sleep(0.01)
        cm.reschedule(loop.time() + 0.02)
        print("rescheduled:", cm.when() is not None)
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("cancelled inside, as CPython does")
            raise
    print("unreachable")


async def later():
    loop = asyncio.get_event_loop()
    # reschedule later keeps the block alive (250 ms: margin for a loaded
    # machine); None disables it, past where it would have fired
    async with asyncio.timeout(0.01) as cm:
        cm.reschedule(loop.time() + 0.25)
        await asyncio.sleep(0.01)
        cm.reschedule(None)
        await asyncio.sleep(0.3)
    print("survived reschedule, expired:", cm.expired())

    try:
        async with asyncio.timeout_at(loop.time() + 0.02):
            t = asyncio.create_task(asyncio.sleep(1))
            await t
    except asyncio.TimeoutError:
        print("awaited task cancelled:", t.cancelled())

    try:
        async with asyncio.timeout(-1):
            await asyncio.sleep(0)
            print("past deadline still runs to first await")
    except asyncio.TimeoutError:
        print("past deadline: TimeoutError")

    async def victim():
        async with asyncio.timeout(1):
            await asyncio.sleep(1)

    v = asyncio.create_task(victim())
    await asyncio.sleep(0.01)
    v.cancel()
    try:
        await v
    except asyncio.CancelledError:
        print("outside cancel stays CancelledError")


async def all():
    try:
        await main()
    except asyncio.TimeoutError:
        print("reschedule fired: TimeoutError")
    await later()


asyncio.run(all())

# expect: cpython
# Where CPython's documented behaviour is the one to follow (issue 15): a
# task awaiting itself fails at once; an exception handler that raises is
# reported through the default handler and the loop keeps running; a task
# that raised KeyboardInterrupt is done afterwards, and awaiting it raises
# it again. (sleep(nan) follows CPython 3.13, which 3.11 here does not:
# test_long_delays.py.)
import asyncio


async def await_self():
    me = asyncio.current_task()
    try:
        await me
    except RuntimeError as e:
        print("await self:", str(e).split(":")[0])
    return "went on"


async def selfish():
    await asyncio.sleep(0)
    await selfish_task


async def main_self():
    global selfish_task
    print(await await_self())
    selfish_task = asyncio.create_task(selfish())
    try:
        await selfish_task
    except RuntimeError as e:
        print("task awaiting itself:", str(e).split(":")[0])


asyncio.run(main_self())


def handler(loop, context):
    # (The message's first two words: MicroPython says "Task exception
    # wasn't retrieved", CPython "... was never retrieved".)
    exc = context.get("exception")
    print("handler got:", " ".join(context["message"].split()[:2]), type(exc).__name__, exc.args)
    raise RuntimeError("the handler failed")


async def fails():
    raise ValueError("lost")


def default(context):
    # The loop's default handler, replaced (as CPython allows) so what it
    # is given shows on stdout.
    print("default handler got:", context["message"], repr(context["exception"].args[0]))


async def main_handler():
    loop = asyncio.get_event_loop()
    loop.set_exception_handler(handler)
    loop.default_exception_handler = default
    try:
        loop.call_exception_handler({"message": "direct", "exception": KeyError("k")})
        print("call_exception_handler returned")
        asyncio.create_task(fails())
        for _ in range(5):
            await asyncio.sleep(0)
        print("loop still running")
    finally:
        loop.set_exception_handler(None)
        del loop.default_exception_handler


asyncio.run(main_handler())


async def interrupts():
    await asyncio.sleep(0)
    raise KeyboardInterrupt


async def main_interrupt():
    global interrupted
    interrupted = asyncio.create_task(interrupts())
    await asyncio.sleep(0.5)
    print("not reached")


try:
    asyncio.run(main_interrupt())
except KeyboardInterrupt:
    print("run() raised KeyboardInterrupt")
print("task done:", interrupted.done())


async def later():
    try:
        await interrupted
    except KeyboardInterrupt:
        print("awaiting it raised KeyboardInterrupt again")
    return "loop usable"


print(asyncio.run(later()))

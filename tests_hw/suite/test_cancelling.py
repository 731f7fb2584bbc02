# expect: cpython
# Cancellation as CPython 3.11: Task.cancelling()/uncancel() count cancel
# requests; nested timeout()s answer for their own expiry only (inner,
# outer, both at once); a TaskGroup inside a timeout and a timeout inside a
# TaskGroup body; a cancel from outside passes through both; a CancelledError
# the body raises itself cancels the children and comes out; Timeout's
# when()/expired()/reschedule() states. Timeouts race only sleeps that never
# end, so no outcome depends on speed.
import asyncio

FOREVER = 10


async def counts():
    async def sleeper():
        try:
            await asyncio.sleep(FOREVER)
        except asyncio.CancelledError:
            print("caught, cancelling:", asyncio.current_task().cancelling())
            print("uncancel ->", asyncio.current_task().uncancel())
            print("uncancel at 0 ->", asyncio.current_task().uncancel())
        await asyncio.sleep(0)
        return "went on"

    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    print("before cancel:", t.cancelling())
    print("cancel:", t.cancel(), t.cancelling())
    print("cancel again:", t.cancel(), t.cancelling())
    print("result:", await t)
    print("done, cancel:", t.cancel(), t.cancelling())


async def nested():
    try:
        async with asyncio.timeout(FOREVER) as outer:
            try:
                async with asyncio.timeout(0.05) as inner:
                    await asyncio.sleep(FOREVER)
            except asyncio.TimeoutError:
                print("inner expired:", inner.expired(), "outer:", outer.expired())
            print("cancelling after inner:", asyncio.current_task().cancelling())
    except asyncio.TimeoutError:
        print("never")

    try:
        async with asyncio.timeout(0.05) as outer:
            try:
                async with asyncio.timeout(FOREVER) as inner:
                    await asyncio.sleep(FOREVER)
            except asyncio.TimeoutError:
                print("never: inner did not expire")
            except asyncio.CancelledError:
                print("inner passes the outer's cancel on, expired:", inner.expired())
                raise
    except asyncio.TimeoutError:
        print("outer expired:", outer.expired())
    print("cancelling after outer:", asyncio.current_task().cancelling())

    # both expire before the body runs again: each takes its own request
    # back; the inner sees the outer's left and passes it on
    try:
        async with asyncio.timeout(0) as outer:
            try:
                async with asyncio.timeout(0) as inner:
                    await asyncio.sleep(FOREVER)
            except asyncio.CancelledError:
                print("both: inner passes on, expired:", inner.expired())
                raise
    except asyncio.TimeoutError:
        print("both: outer answers, expired:", outer.expired())
    print("cancelling after both:", asyncio.current_task().cancelling())


async def crash(after):
    await asyncio.sleep(after)
    raise ValueError("child failed")


async def groups():
    # a TaskGroup inside a timeout: the children are cancelled, the timeout
    # answers (CPython cancels them in set order: sorted here)
    gone = []

    async def child(i):
        try:
            await asyncio.sleep(FOREVER)
        except asyncio.CancelledError:
            gone.append(i)
            raise

    try:
        async with asyncio.timeout(0.05):
            async with asyncio.TaskGroup() as g:
                g.create_task(child(1))
                g.create_task(child(2))
    except asyncio.TimeoutError:
        print("group in timeout: TimeoutError, children cancelled:", sorted(gone))
    print("cancelling:", asyncio.current_task().cancelling())

    # the same while the body still runs
    try:
        async with asyncio.timeout(0.05):
            async with asyncio.TaskGroup() as g:
                g.create_task(child(3))
                await asyncio.sleep(FOREVER)
    except asyncio.TimeoutError:
        print("group body in timeout: TimeoutError, children cancelled:", sorted(gone))

    # a timeout inside the body, a child failing: the group's cancel goes
    # through the timeout, which did not expire
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(crash(0))
            async with asyncio.timeout(FOREVER) as cm:
                await asyncio.sleep(FOREVER)
    except Exception as e:
        print("timeout in group:", type(e).__name__, [str(x) for x in e.exceptions])
        print("timeout expired:", cm.expired())
    print("cancelling:", asyncio.current_task().cancelling())

    # a timeout inside the body that expires: the group carries on
    async with asyncio.TaskGroup() as g:
        t = g.create_task(asyncio.sleep(0.1, "child done"))
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(FOREVER)
        except asyncio.TimeoutError:
            print("body timed out, group goes on")
    print("child:", t.result())

    # a timeout due at once and a child about to fail: the timeout comes
    # first, the body's cancel cancels the child before it fails
    try:
        async with asyncio.timeout(0):
            async with asyncio.TaskGroup() as g:
                g.create_task(crash(0))
                await asyncio.sleep(FOREVER)
    except asyncio.TimeoutError:
        print("both: TimeoutError")
    except Exception as e:
        print("both:", type(e).__name__, [str(x) for x in e.exceptions])
    print("cancelling:", asyncio.current_task().cancelling())


async def body_cancelled():
    # the body raises CancelledError itself: children cancelled, it comes out
    async def child():
        try:
            await asyncio.sleep(FOREVER)
        except asyncio.CancelledError:
            print("child cancelled")
            raise

    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(child())
            await asyncio.sleep(0)
            raise asyncio.CancelledError
    except asyncio.CancelledError:
        print("body's CancelledError comes out")

    # with a failed child too: the failure has priority
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(crash(0))
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            raise asyncio.CancelledError
    except asyncio.CancelledError:
        print("never: failures first")
    except Exception as e:
        print("failure wins:", type(e).__name__, [str(x) for x in e.exceptions])

    # body failing while a child failed first: children's errors, then the body's
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(crash(0))
            try:
                await asyncio.sleep(FOREVER)
            finally:
                raise KeyError("body")
    except Exception as e:
        print("order:", [type(x).__name__ for x in e.exceptions])

    # cancelled from outside while waiting in __aexit__
    async def outer():
        async with asyncio.TaskGroup() as g:
            g.create_task(child())

    o = asyncio.create_task(outer())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    o.cancel()
    try:
        await o
    except asyncio.CancelledError:
        print("outside cancel: CancelledError, cancelling", o.cancelling())


async def states():
    cm = asyncio.timeout(None)
    print("created:", cm.when(), cm.expired())
    try:
        cm.reschedule(1)
    except RuntimeError:
        print("reschedule before enter: RuntimeError")
    loop = asyncio.get_running_loop()
    async with cm:
        cm.reschedule(loop.time() + FOREVER)
        print("when set:", cm.when() > loop.time())
        cm.reschedule(None)
        print("when cleared:", cm.when())
    print("after exit expired:", cm.expired())
    try:
        cm.reschedule(None)
    except RuntimeError as e:
        print("reschedule after exit:", e)
    try:
        async with cm:
            pass
    except RuntimeError:
        print("enter twice: RuntimeError")
    try:
        async with asyncio.timeout(0) as cm:
            await asyncio.sleep(FOREVER)
    except asyncio.TimeoutError:
        try:
            cm.reschedule(None)
        except RuntimeError as e:
            print("reschedule after expiry:", e)


async def main():
    for part in (counts, nested, groups, body_cancelled, states):
        print("--", part.__name__)
        await part()


asyncio.run(main())

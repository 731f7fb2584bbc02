# expect: cpython
# loop.call_soon/call_later/call_at run callbacks with their arguments in
# time order; handles cancel (cancelled()), TimerHandle.when(); loop.time()
# advances with sleeps; an exception in a callback goes to the handler.
import asyncio


async def main():
    loop = asyncio.get_event_loop()
    log = []
    t0 = loop.time()
    # Timers 100 ms apart and 100 ms away: the first step sees call_soon's
    # callback alone however slow the machine (a timer already due would
    # run before the task that yields).
    h1 = loop.call_later(0.3, log.append, "later 300")
    h2 = loop.call_at(t0 + 0.1, log.append, "at 100")
    h3 = loop.call_soon(log.append, "soon")
    h4 = loop.call_later(0.2, log.append, "cancelled")
    print("types:", type(h3).__name__, type(h1).__name__)
    print("when ok:", abs(h2.when() - (t0 + 0.1)) < 0.005)
    h4.cancel()
    h4.cancel()
    print("cancelled():", h4.cancelled(), h1.cancelled())
    await asyncio.sleep(0)
    print("after one step:", log)
    await asyncio.sleep(0.35)
    print(log)
    el = loop.time() - t0
    print("time advanced, in seconds:", 0.3 <= el < 10)

    def sum_args(*a):
        log.append(sum(a))

    loop.call_soon(sum_args, 1, 2, 3)
    await asyncio.sleep(0)
    print("args:", log[-1])

    seen = []
    loop.set_exception_handler(lambda lp, ctx: seen.append(type(ctx["exception"]).__name__))
    loop.call_soon(lambda: 1 / 0)
    await asyncio.sleep(0.01)
    loop.set_exception_handler(None)
    print("handler saw:", seen)


asyncio.run(main())

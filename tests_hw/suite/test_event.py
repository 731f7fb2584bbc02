# expect: cpython
# Event: starts clear, set/clear/is_set, wait() on a set event returns at
# once, set() wakes every waiter in the order they started waiting and
# before the setter runs again, clear() after set() doesn't un-wake them.
import asyncio

log = []


async def waiter(ev, name):
    log.append(name + " waits")
    r = await ev.wait()
    log.append(name + " woke " + str(r))


async def main():
    ev = asyncio.Event()
    print("initially set:", ev.is_set())
    ev.set()
    print("after set:", ev.is_set())
    print("wait on set event:", await ev.wait())
    ev.set()  # setting twice is harmless
    ev.clear()
    print("after clear:", ev.is_set())
    ev.clear()  # clearing twice is harmless
    print("after second clear:", ev.is_set())

    tasks = [asyncio.create_task(waiter(ev, n)) for n in ("a", "b", "c", "d")]
    await asyncio.sleep(0)
    log.append("main sets")
    ev.set()
    ev.clear()  # waiters already released stay released
    log.append("main yields")
    await asyncio.sleep(0)
    log.append("main back")
    for line in log:
        print(line)
    print("all done:", all(t.done() for t in tasks))

    # once set, later waiters don't block; after clear they do
    log.clear()
    ev.set()
    await waiter(ev, "e")
    ev.clear()
    late = asyncio.create_task(waiter(ev, "f"))
    await asyncio.sleep(0.02)
    print(log, "f done:", late.done())
    ev.set()
    await late
    print(log)

    # a waiter that is cancelled does not block the others
    ev.clear()
    log.clear()
    ws = [asyncio.create_task(waiter(ev, n)) for n in ("g", "h", "i")]
    await asyncio.sleep(0)
    ws[0].cancel()
    await asyncio.sleep(0)
    ev.set()
    await asyncio.sleep(0)
    print(log, [t.done() for t in ws])


asyncio.run(main())

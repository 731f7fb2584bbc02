# Run by tests/test_memory_exhaustion.py on our images at a sweep of heap
# sizes: three workers fill the heap, then use the loop (gather, wait_for
# timing out and not, Lock, cancel, task errors), retrying a step that runs
# out of memory with a little more room each time. Whatever allocation
# fails, nothing may crash or hang, no step may give a wrong answer, and
# afterwards a task parked all along and a fresh run must both work.
import asyncio
import gc

hog = []


def fill(slack):
    # Take the heap, big pieces first (few objects: collections stay cheap),
    # then give back about slack*32 bytes: each retry of a step gets more.
    for size in (4096, 256, 16):
        try:
            while True:
                hog.append(bytearray(size))
        except MemoryError:
            pass
    while slack and hog:  # (no slice: it would allocate)
        hog.pop()
        slack -= 1


def free():
    hog.clear()
    gc.collect()


def static_exception():
    # MicroPython's one static exception object: what an exception becomes
    # when there is no room to make it. Whatever type is made next with the
    # heap full retypes it (even BaseException: the native part of a
    # CancelledError), so a step whose answer holds it ran out of memory,
    # whatever it reads as.
    made = [None] * 64  # (made first: with the heap full, no room for it)
    fill(0)
    chain = None
    try:
        while True:  # (what room fill() left when its list could not grow)
            chain = (chain, None)
    except MemoryError:
        pass
    found = None
    for i in range(1, 64):
        made[i] = Exception()  # (takes what room fill() left, then none)
        if made[i] is made[i - 1]:
            found = made[i]
            break
    chain = None
    free()
    return found


STATIC = static_exception()
NO_ROOM = "memory allocation failed"


def damaged(e):
    # A child's ValueError(3) that gather(return_exceptions=True) hands back
    # as a value, made while the heap was full: either it is the static
    # object (retyped since), or its args went to MicroPython's emergency
    # buffer, which the next MemoryError's (truncated) message overwrites.
    if not isinstance(e, BaseException):
        return False
    if e is STATIC:
        return True
    text = str(e)
    return text != "" and (NO_ROOM in text or NO_ROOM.startswith(text))


ev = asyncio.Event()
never = asyncio.Event()
lock = asyncio.Lock()
RETRIES = 300


async def child(i):
    for _ in range(i % 3):
        await asyncio.sleep_ms(0)
    if i % 4 == 3:
        raise ValueError(i)
    return i


async def op(k):
    if k == 0:
        return await asyncio.gather(child(1), child(3), return_exceptions=True)
    if k == 1:
        try:
            await asyncio.wait_for(never.wait(), 0)
        except asyncio.TimeoutError:
            return "timeout"
    if k == 2:
        async with lock:
            await asyncio.sleep_ms(0)
        return "locked"
    if k == 3:
        t = asyncio.create_task(child(5))
        await asyncio.sleep_ms(0)
        t.cancel()
        try:
            await t
        except asyncio.CancelledError:
            return "cancelled"
    if k == 4:
        return await asyncio.wait_for(child(2), 1)
    if k == 5:
        try:
            await child(7)
        except ValueError as e:
            return "raised %s" % e
    if k == 6:
        t = asyncio.create_task(child(6))
        return await t


def said(r):
    # A step's answer as text (exceptions by class and value).
    if isinstance(r, list):
        return ",".join(said(x) for x in r)
    if isinstance(r, BaseException):
        return "%s %s" % (type(r).__name__, r)
    return str(r)


async def worker(w, got):
    # (Answers go in a list the caller made: what runs after a MemoryError,
    # or before the worker's first step, must not allocate.)
    rounds = len(got)
    i = 0
    slack = 0
    while i < rounds:
        try:
            if i % 2 == 0:
                fill(slack)
            r = await op((w + i) % 7)
            free()
            if isinstance(r, list) and any(damaged(x) for x in r):
                raise MemoryError  # (the step ran out of memory after all)
            text = said(r)
            got[i] = text
            i += 1
            slack = 0
        except Exception:
            # MemoryError, or what MicroPython made of one: out of memory it
            # raises one static exception object and may retype it at the
            # next failure (a ValueError(3) of child() that could not be made).
            free()
            slack += 1
            if slack > RETRIES:
                got[i] = "gave up"
                i += 1
                slack = 0
    return got


async def bystander():
    await ev.wait()
    return "bystander"


async def main():
    ws = [None] * 3
    out = [None] * 3
    for _ in range(RETRIES):
        try:
            for w in range(3):
                if ws[w] is None:
                    ws[w] = asyncio.create_task(worker(w, [None] * 14))
            for w in range(3):
                if out[w] is None:
                    out[w] = await ws[w]
            return out
        except MemoryError:
            free()
    return "gave up"


async def start(coro):
    return asyncio.create_task(coro)


async def finish(t):
    return await t


def run(fn, arg):
    for _ in range(RETRIES):
        try:
            return asyncio.run(fn(arg))
        except MemoryError:
            free()
    return "gave up"


b = run(start, bystander())
m = run(start, main())
results = run(finish, m)
free()
if results == "gave up":
    print("main gave up")
else:
    for w in range(3):
        print("worker %d: %s" % (w, " | ".join(results[w])))


async def sanity():
    ev.set()
    r = await b
    g = await asyncio.gather(child(0), child(1))
    try:
        await asyncio.wait_for(never.wait(), 0)
    except asyncio.TimeoutError:
        g.append("t")
    return r, g


print("sanity", asyncio.run(sanity()))

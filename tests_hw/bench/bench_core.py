# asyncio scheduler and synchronisation speed, public API only, plus the floor
# (generators resumed by hand, no scheduler). Same file runs on every image.
#
# Run: micropython bench_core.py [SCALE [NAME,NAME...]]
# Each benchmark prints two lines:
#   BENCH <name> <ops per second> ops/s n=<ops timed>
#   BENCH <name>.alloc <bytes allocated per op> B/op n=<ops measured>
# Allocation is gc.mem_alloc() growth with the GC disabled over ALLOC_OPS steady-state
# operations, so it counts every byte allocated, garbage or not.
# The host driver (firmware/bench.py) may rewrite the three constants below when it
# sends this file over a serial REPL, where there is no argv.
import gc
import sys
import time

import asyncio

SCALE = 1.0
ONLY = None
ALLOC_OPS = 100
MANY = 1000  # task count of the "many tasks" benchmarks (small-heap boards: fewer)

_argv = getattr(sys, "argv", None) or []
if len(_argv) > 1:
    SCALE = float(_argv[1])
if len(_argv) > 2:
    ONLY = _argv[2].split(",")

try:
    from micropython import schedule
except ImportError:
    schedule = None


class Meter:
    """Times (or, with alloc=True, counts bytes allocated by) the sections between
    start() and stop(), summed; a benchmark brackets its steady-state work only."""

    def __init__(self, alloc):
        self.alloc = alloc
        self.value = 0
        self.base = 0  # set here so start() does not grow the instance's dict

    def start(self):
        gc.collect()
        if self.alloc:
            gc.disable()
            self.base = gc.mem_alloc()
        else:
            self.base = time.ticks_us()

    def stop(self):
        if self.alloc:
            self.value += gc.mem_alloc() - self.base
            gc.enable()
        else:
            self.value += time.ticks_diff(time.ticks_us(), self.base)


async def _spin():
    while True:
        await asyncio.sleep_ms(0)


async def _sleep_long():
    await asyncio.sleep_ms(3_600_000)


async def _nop():
    return 1


def _cancel_all(tasks):
    for t in tasks:
        t.cancel()


async def switch_among(n, meter, tasks_total, sleepers=0):
    # The measuring task is one of the round-robin tasks: n switches in all.
    others = [asyncio.create_task(_spin()) for _ in range(tasks_total - 1)]
    parked = [asyncio.create_task(_sleep_long()) for _ in range(sleepers)]
    await asyncio.sleep_ms(0)
    rounds = max(1, n // tasks_total)
    meter.start()
    for _ in range(rounds):
        await asyncio.sleep_ms(0)
    meter.stop()
    _cancel_all(others)
    _cancel_all(parked)
    await asyncio.sleep_ms(0)
    return rounds * tasks_total


async def switch_10(n, meter):
    return await switch_among(n, meter, 10)


async def switch_many(n, meter):
    return await switch_among(n, meter, MANY)


async def switch_10_sleepers_many(n, meter):
    # 10 busy tasks while MANY tasks sit in the timer queue with distant deadlines.
    return await switch_among(n, meter, 10, sleepers=MANY)


async def switch_10_flag_waiter(n, meter):
    # Task switching while one more task waits on a ThreadSafeFlag (an
    # IRQ-driven driver, Delay_ms's service, to_thread()): the loop has to
    # look at the flag between steps. (Stock polls it, which on unix sleeps
    # 1 ms per step.)
    flag = asyncio.ThreadSafeFlag()
    waiter = asyncio.create_task(flag.wait())
    done = await switch_among(n, meter, 10)
    flag.set()
    await waiter
    return done


def _gen():
    while True:
        yield


async def gen_resume_10(n, meter):
    # The floor: 10 generators resumed round robin with send(), no scheduler.
    gens = [_gen() for _ in range(10)]
    for g in gens:
        g.send(None)
    rounds = max(1, n // 10)
    meter.start()
    for _ in range(rounds):
        for g in gens:
            g.send(None)
    meter.stop()
    return rounds * 10


async def create_gather(n, meter):
    batches = max(1, n // 100)
    meter.start()
    for _ in range(batches):
        await asyncio.gather(*[asyncio.create_task(_nop()) for _ in range(100)])
    meter.stop()
    return batches * 100


async def create_await(n, meter):
    # A task made and awaited, one at a time, with nothing else allocated:
    # long enough to cross collections, after which MicroPython's allocator
    # searches from the heap's start for anything bigger than one block.
    meter.start()
    for _ in range(n):
        await asyncio.create_task(_nop())
    meter.stop()
    return n


async def create_await_eager(n, meter):
    # create_await with CPython 3.12's eager_task_factory: the task's one
    # step runs inside create_task(), so it is done before it is awaited.
    # None (skipped) where the factory is missing (stock).
    factory = getattr(asyncio, "eager_task_factory", None)
    if factory is None:
        return None
    loop = asyncio.get_event_loop()
    loop.set_task_factory(factory)
    meter.start()
    for _ in range(n):
        await asyncio.create_task(_nop())
    meter.stop()
    loop.set_task_factory(None)
    return n


async def event_pingpong(n, meter):
    ping = asyncio.Event()
    pong = asyncio.Event()

    async def responder():
        while True:
            await ping.wait()
            ping.clear()
            pong.set()

    t = asyncio.create_task(responder())
    await asyncio.sleep_ms(0)
    meter.start()
    for _ in range(n):
        ping.set()
        await pong.wait()
        pong.clear()
    meter.stop()
    t.cancel()
    await asyncio.sleep_ms(0)
    return n


async def lock_10(n, meter):
    # 10 tasks queue on one Lock; each holds it across a switch, so every release
    # hands the lock to a waiter. One op = one acquire.
    lock = asyncio.Lock()

    async def contender():
        while True:
            async with lock:
                await asyncio.sleep_ms(0)

    others = [asyncio.create_task(contender()) for _ in range(9)]
    await asyncio.sleep_ms(0)
    rounds = max(1, n // 10)
    meter.start()
    for _ in range(rounds):
        async with lock:
            await asyncio.sleep_ms(0)
    meter.stop()
    _cancel_all(others)
    await asyncio.sleep_ms(0)
    return rounds * 10


async def tsf_pingpong(n, meter):
    # ThreadSafeFlag set from a task: two flags, round trips. (The unix port polls
    # objects that are not file descriptors in 1 ms steps: unix numbers here measure
    # that, not asyncio.)
    ping = asyncio.ThreadSafeFlag()
    pong = asyncio.ThreadSafeFlag()

    async def responder():
        while True:
            await ping.wait()
            pong.set()

    t = asyncio.create_task(responder())
    await asyncio.sleep_ms(0)
    meter.start()
    for _ in range(n):
        ping.set()
        await pong.wait()
    meter.stop()
    t.cancel()
    await asyncio.sleep_ms(0)
    return n


async def tsf_schedule(n, meter):
    # ThreadSafeFlag set by a micropython.schedule() callback (as from an IRQ).
    if schedule is None:
        return None
    flag = asyncio.ThreadSafeFlag()
    setter = lambda _: flag.set()  # noqa: E731
    meter.start()
    for _ in range(n):
        schedule(setter, None)
        await flag.wait()
    meter.stop()
    return n


async def wait_for_no_timeout(n, meter):
    meter.start()
    for _ in range(n):
        await asyncio.wait_for(_nop(), 10)
    meter.stop()
    return n


async def wait_for_timeout(n, meter):
    ev = asyncio.Event()  # never set: every call times out
    meter.start()
    for _ in range(n):
        try:
            await asyncio.wait_for(ev.wait(), 0)
        except asyncio.TimeoutError:
            pass
    meter.stop()
    return n


async def timer_push_many(n, meter):
    # First resume of sleepers that go into the timer queue with scrambled deadlines:
    # one op = one task started and inserted among up to MANY others.
    size = min(n, MANY)
    batches = max(1, n // size)
    for _ in range(batches):
        tasks = [asyncio.create_task(_sleep_scrambled(i)) for i in range(size)]
        meter.start()
        await asyncio.sleep_ms(0)
        meter.stop()
        _cancel_all(tasks)
        await asyncio.sleep_ms(0)
    return batches * size


async def _sleep_scrambled(i):
    await asyncio.sleep_ms(3_600_000 + (i * 7919) % 1000)


async def cancel_storm(n, meter):
    # Cancel many sleeping tasks at once and wait for all of them to unwind.
    size = min(n, MANY)
    batches = max(1, n // size)
    for _ in range(batches):
        tasks = [asyncio.create_task(_sleep_long()) for _ in range(size)]
        await asyncio.sleep_ms(0)
        meter.start()
        for t in tasks:
            t.cancel()
        for t in tasks:
            try:
                await t
            except asyncio.CancelledError:
                pass
        meter.stop()
    return batches * size


BENCHMARKS = (
    # name, function, base number of ops at SCALE 1
    ("gen_resume_10", gen_resume_10, 400_000),
    ("switch_10", switch_10, 200_000),
    ("switch_%d" % MANY, switch_many, 100_000),
    ("switch_10_sleepers_%d" % MANY, switch_10_sleepers_many, 100_000),
    ("create_gather", create_gather, 30_000),
    ("create_await", create_await, 40_000),
    ("create_await_eager", create_await_eager, 40_000),
    ("event_pingpong", event_pingpong, 50_000),
    ("lock_10", lock_10, 50_000),
    ("switch_10_flag_waiter", switch_10_flag_waiter, 2_000),
    ("tsf_pingpong", tsf_pingpong, 300),
    ("tsf_schedule", tsf_schedule, 300),
    ("wait_for_no_timeout", wait_for_no_timeout, 20_000),
    ("wait_for_timeout", wait_for_timeout, 20_000),
    ("timer_push_%d" % MANY, timer_push_many, 20_000),
    ("cancel_storm_%d" % MANY, cancel_storm, 10_000),
)


def measure(func, n, alloc):
    meter = Meter(alloc)
    done = asyncio.run(func(n, meter))
    asyncio.new_event_loop()
    gc.enable()
    return done, meter.value


def main():
    for name, func, base in BENCHMARKS:
        if ONLY and name not in ONLY:
            continue
        n = max(1, int(base * SCALE))
        done, micros = measure(func, n, False)
        if done is None:
            print("BENCH", name, "skip", "-")
            continue
        print("BENCH", name, int(done * 1_000_000 / max(micros, 1)), "ops/s", "n=%d" % done)
        try:
            done, grown = measure(func, min(n, ALLOC_OPS), True)
            print("BENCH", name + ".alloc", "%.1f" % (grown / done), "B/op", "n=%d" % done)
        except MemoryError:
            gc.enable()
            asyncio.new_event_loop()
            print("BENCH", name + ".alloc", "oom", "B/op")


main()

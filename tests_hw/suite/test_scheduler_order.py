# Order under churn: the timer heap and the wait lists, driven hard enough
# to reach every shape (removals deep in the heap, cancelled waiters in the
# middle of a list), checked against a plain model of the rules:
#   - sleepers wake by deadline, equal deadlines in the order they slept;
#   - a cancelled sleeper or waiter never wakes normally;
#   - Event.set() and Lock hand-offs wake the remaining waiters in the order
#     they started waiting.
# The timer part runs on a hand-driven clock (hwtest.run_on_clock), so it
# is exact on every port; a core without set_clock() (stock) skips it.
import hwtest
from hwtest import eq, true

time = hwtest.require("time")
import asyncio  # noqa: E402  (imports follow the file's feature checks)


class Rand:
    # A fixed LCG: the same churn on every port and every run.
    def __init__(self, seed):
        self.x = seed

    def below(self, n):
        self.x = (self.x * 1103515245 + 12345) & 0x7FFFFFFF
        return (self.x >> 8) % n


async def _churn(now, rand):
    woke = []
    live = {}  # id -> (deadline, order slept, task)
    expected = []
    state = [0, 0]  # next id, next sleep order

    async def sleeper(i, ms):
        await asyncio.sleep_ms(ms)
        woke.append((now[0], i))

    def spawn(ms):
        i = state[0]
        state[0] += 1
        live[i] = (now[0] + ms, state[1], asyncio.create_task(sleeper(i, ms)))
        state[1] += 1

    # 200 sleepers at once: 300 (with this bookkeeping) left a Pyboard's
    # ~108 KB heap no free 2 KB block for a list; 200 pass with 24 KB of it
    # taken. Every sleeper wakes or is cancelled, so 200 wake-ups are checked.
    for _ in range(200):
        spawn(1 + rand.below(50))
    await asyncio.sleep_ms(0)  # every sleeper parks on the timer heap
    for step in range(1, 140):
        now[0] += 1
        # due now: in deadline order, ties in the order they slept
        due = sorted((d, o, i) for i, (d, o, _) in live.items() if d <= now[0])
        for _d, _o, i in due:
            expected.append((now[0], i))
            del live[i]
        await asyncio.sleep_ms(0)  # the due sleepers run before we come back
        if step < 100:
            ids = list(live)
            for _ in range(min(3, len(ids))):
                i = ids.pop(rand.below(len(ids)))
                live.pop(i)[2].cancel()
            for _ in range(3):
                spawn(1 + rand.below(40))
            await asyncio.sleep_ms(0)  # the cancelled ones unwind, new ones park
    true(not live, "every sleeper woke or was cancelled")
    return woke, expected


def test_timer_heap_under_churn():
    now = [time.ticks_ms()]
    woke, expected = hwtest.run_on_clock(
        lambda: now[0], lambda: asyncio.run(_churn(now, Rand(12345)))
    )
    true(len(expected) >= 200, "%d wake-ups checked" % len(expected))
    eq(woke, expected, "wake-ups (time, sleeper)")


async def _waiters(make_wait, release, n, rand):
    woke = []

    async def waiter(i):
        await make_wait()
        woke.append(i)
        release()

    tasks = [asyncio.create_task(waiter(i)) for i in range(n)]
    await asyncio.sleep_ms(0)  # all parked, in id order
    remaining = list(range(n))
    for _ in range(n // 2):
        i = remaining.pop(rand.below(len(remaining)))
        tasks[i].cancel()
    await asyncio.sleep_ms(0)  # the cancelled ones unwind
    return tasks, remaining, woke


def test_event_waiters_cancelled_in_random_order():
    async def main():
        ev = asyncio.Event()
        tasks, remaining, woke = await _waiters(ev.wait, lambda: None, 60, Rand(7))
        eq(woke, [], "nobody woke before set()")
        ev.set()
        await asyncio.gather(*[tasks[i] for i in remaining])
        eq(woke, remaining, "set() woke the rest in waiting order")
        true(all(t.done() for t in tasks), "every waiter finished")

    asyncio.run(main())


def test_lock_waiters_cancelled_in_random_order():
    async def main():
        lock = asyncio.Lock()
        await lock.acquire()
        tasks, remaining, woke = await _waiters(lock.acquire, lock.release, 40, Rand(99))
        eq(woke, [], "nobody got the lock while we hold it")
        lock.release()
        await asyncio.gather(*[tasks[i] for i in remaining])
        eq(woke, remaining, "the lock went round in waiting order")
        eq(lock.locked(), False, "free again")

    asyncio.run(main())


hwtest.main()

"""Random asyncio programs for the differential test of the two cores
(tests/test_core_differential.py): from a seed, a few tasks that sleep,
hand Events, Locks and ThreadSafeFlags to each other, cancel and await one
another, wait_for and gather helpers, start eager tasks, and raise. Every step is logged with
the time it happened. The program runs on a test clock that moves 1 ms per
scheduler round (the loop never idles), so its output is the same on every
run: two cores that keep the contract print the same."""

import random

# MicroPython source shared by every batch: the log, the clock, the helpers.
PRELUDE = """
import asyncio
core = asyncio._kernel._core
log = []
now = [0]


def L(*what):
    log.append("%d %s" % (now[0], " ".join(str(w) for w in what)))


def said(x):
    if isinstance(x, BaseException):
        return "%s%r" % (type(x).__name__, x.args)
    if isinstance(x, list):
        return "[" + ",".join(said(y) for y in x) + "]"
    return str(x)


async def sub(who, n, ev):
    # A helper for wait_for and gather: sleeps n ms, or waits on ev
    # (n < 0), or raises (n == 99).
    try:
        if n == 99:
            raise ValueError(who)
        if n < 0:
            await ev.wait()
        else:
            await asyncio.sleep_ms(n)
        return n
    except asyncio.CancelledError:
        L(who, "sub cancelled")
        raise


async def drive(rounds):
    # The clock: 1 ms per scheduler round, never moved otherwise.
    for _ in range(rounds):
        now[0] += 1
        await asyncio.sleep_ms(0)


def report(loop, context):
    L("unretrieved", said(context["exception"]))


def batch(seed, make, rounds):
    asyncio.new_event_loop().set_exception_handler(report)
    core.set_clock(lambda: now[0])
    log.clear()
    now[0] = 0
    tasks = make()
    asyncio.run(drive(rounds))
    print("== seed", seed)
    for line in log:
        print(line)
    for i, t in enumerate(tasks):
        print("task", i, "done" if t.done() else "pending", said(t.data) if t.done() else "")
    core.set_clock(None)
    asyncio.get_event_loop().set_exception_handler(None)
"""


class _Program:
    def __init__(self, rng, seed):
        self.rng = rng
        self.seed = seed
        self.n_tasks = rng.randint(2, 6)
        self.n_events = rng.randint(1, 3)
        self.n_locks = rng.randint(1, 2)
        self.n_flags = rng.randint(1, 2)

    def action(self, me, lines, depth):
        r = self.rng
        i = r.randrange
        kind = r.choice(
            [
                "sleep",
                "sleep",
                "wait",
                "set",
                "clear",
                "lock",
                "flag_set",
                "flag_wait",
                "cancel",
                "wait_for",
                "gather",
                "await",
                "raise",
                "yield",
                "eager",
            ]
        )
        if kind == "sleep":
            lines.append(f"await asyncio.sleep_ms({i(0, 6)})")
            lines.append(f"L({me}, 'slept')")
        elif kind == "yield":
            lines.append("await asyncio.sleep_ms(0)")
        elif kind == "wait":
            e = i(self.n_events)
            lines.append(f"L({me}, 'waits e{e}', await E[{e}].wait())")
        elif kind == "set":
            e = i(self.n_events)
            lines.append(f"E[{e}].set()")
            lines.append(f"L({me}, 'set e{e}')")
        elif kind == "clear":
            lines.append(f"E[{i(self.n_events)}].clear()")
        elif kind == "lock" and depth < 2:
            k = i(self.n_locks)
            lines.append(f"async with K[{k}]:")
            inner = [f"L({me}, 'holds k{k}', K[{k}].locked())"]
            self.action(me, inner, depth + 1)
            inner.append(f"L({me}, 'releases k{k}')")
            lines.extend("    " + x for x in inner)
        elif kind == "flag_set":
            f = i(self.n_flags)
            lines.append(f"F[{f}].set()")
            lines.append(f"L({me}, 'set f{f}')")
        elif kind == "flag_wait":
            f = i(self.n_flags)
            lines.append("try:")
            lines.append(f"    await F[{f}].wait()")
            lines.append(f"    L({me}, 'flag f{f}')")
            lines.append("except RuntimeError as e:")
            lines.append(f"    L({me}, 'flag f{f} refused')")
        elif kind == "cancel":
            j = i(self.n_tasks)
            if j != me:
                lines.append(
                    f"L({me}, 'cancels t{j}', T[{j}].cancel(), core.cancel_count(T[{j}], 0))"
                )
        elif kind == "wait_for":
            n = r.choice([0, 1, 3, 8, -1, 99])
            lines.append("try:")
            lines.append(
                f"    L({me}, 'wait_for', await asyncio.wait_for_ms(sub({me}, "
                f"{n}, E[{i(self.n_events)}]), {i(0, 6)}))"
            )
            lines.append("except asyncio.TimeoutError:")
            lines.append(f"    L({me}, 'timed out')")
            lines.append("except ValueError as e:")
            lines.append(f"    L({me}, 'wait_for raised', said(e))")
        elif kind == "gather":
            subs = ", ".join(
                f"sub({me}, {r.choice([0, 2, 5, -1, 99])}, E[{i(self.n_events)}])"
                for _ in range(i(1, 4))
            )
            ret = r.choice(["True", "False"])
            lines.append("try:")
            lines.append(
                f"    L({me}, 'gather', said(await "
                f"asyncio.gather({subs}, return_exceptions={ret})))"
            )
            lines.append("except ValueError as e:")
            lines.append(f"    L({me}, 'gather raised', said(e))")
        elif kind == "await":
            j = i(self.n_tasks)
            if j != me:
                lines.append("try:")
                lines.append(f"    L({me}, 'awaited t{j}', said(await T[{j}]))")
                lines.append("except Exception as e:")
                lines.append(f"    L({me}, 't{j} raised', said(e))")
        elif kind == "eager":
            # a task whose first step runs inside create_task() (core.eager)
            n = r.choice([0, 2, -1, 99])
            lines.append(
                f"x = asyncio.create_task(sub({me}, {n}, E[{i(self.n_events)}]), eager_start=True)"
            )
            lines.append(f"L({me}, 'eager', x.done())")
            lines.append("try:")
            lines.append(f"    L({me}, 'eager got', await x)")
            lines.append("except ValueError as e:")
            lines.append(f"    L({me}, 'eager raised', said(e))")
        elif kind == "raise" and depth == 0:
            lines.append(f"if now[0] % 3 == {i(3)}:")
            lines.append(f"    raise ValueError({me})")

    def task(self, me):
        lines = []
        for _ in range(self.rng.randint(1, 8)):
            self.action(me, lines, 0)
        body = "\n".join("        " + x for x in lines) or "        pass"
        return (
            f"async def t{me}():\n"
            f"    try:\n"
            f"        L({me}, 'starts')\n{body}\n"
            f"        L({me}, 'ends')\n"
            f"        return {me}\n"
            f"    except asyncio.CancelledError:\n"
            f"        L({me}, 'cancelled')\n"
            f"        raise\n"
        )

    def source(self):
        tasks = "\n".join(self.task(me) for me in range(self.n_tasks))
        return (
            f"def make_{self.seed}():\n"
            f"    global E, K, F, T\n"
            f"    E = [asyncio.Event() for _ in range({self.n_events})]\n"
            f"    K = [asyncio.Lock() for _ in range({self.n_locks})]\n"
            f"    F = [asyncio.ThreadSafeFlag() for _ in range({self.n_flags})]\n"
            + "\n".join("    " + line for line in tasks.splitlines())
            + "\n"
            "    T = [asyncio.create_task(t()) for t in "
            f"({', '.join(f't{me}' for me in range(self.n_tasks))},)]\n"
            f"    return T\n\n\n"
            f"batch({self.seed}, make_{self.seed}, 60)\n\n\n"
        )


def program(seeds):
    """One MicroPython program running the sequences of `seeds` in turn."""
    parts = [PRELUDE]
    for seed in seeds:
        parts.append(_Program(random.Random(seed), seed).source())
    return "\n".join(parts)

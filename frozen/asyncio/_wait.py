# wait(), as_completed() and shield() (CPython's API).

from time import ticks_add, ticks_diff

from ._kernel import _core, CancelledError, TimeoutError, promote
from ._watch import until_any_done

FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"


def _deadline(timeout):
    if timeout is None:
        return None
    if type(timeout) is not int and type(timeout) is not float:
        raise TypeError("timeout must be a number or None")
    return ticks_add(_core.ticks(), max(0, int(timeout * 1000)))


def _remaining(deadline):
    # ms left before deadline (None: no deadline), at least 0
    if deadline is None:
        return None
    return max(0, ticks_diff(deadline, _core.ticks()))


def _failed(t):
    # Finished by raising something other than cancellation.
    failed, value = _core.outcome(t)
    return failed and not isinstance(value, CancelledError)


async def wait(aws, timeout=None, return_when=ALL_COMPLETED):
    if return_when not in (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
        raise ValueError("Invalid return_when value: %r" % (return_when,))
    tasks = set(promote(a) for a in aws)
    if not tasks:
        raise ValueError("Set of Tasks/Futures is empty.")
    deadline = _deadline(timeout)
    while True:
        done = set(t for t in tasks if t.done())
        if len(done) == len(tasks):
            break
        if return_when == FIRST_COMPLETED and done:
            break
        if return_when == FIRST_EXCEPTION and any(_failed(t) for t in done):
            break
        ms = _remaining(deadline)
        if ms == 0:
            break
        await until_any_done([t for t in tasks if not t.done()], ms)
    return done, tasks - done


def as_completed(aws, timeout=None):
    # An iterator of coroutines; each one, awaited, gives the outcome of
    # the next task to finish (tasks finishing together: in argument order).
    todo = []
    for a in aws:
        t = promote(a)
        if t not in todo:
            todo.append(t)
    deadline = _deadline(timeout)
    return (_next_done(todo, deadline) for _ in range(len(todo)))


async def _next_done(todo, deadline):
    while True:
        for i in range(len(todo)):
            if todo[i].done():
                return await todo.pop(i)
        ms = _remaining(deadline)
        if ms == 0:
            raise TimeoutError
        await until_any_done(todo, ms)


def shield(aw):
    # Cancelling the task that awaits the result does not cancel `aw`.
    inner = promote(aw)
    if inner.done():
        return inner
    return _shielded(inner)


async def _shielded(inner):
    while not inner.done():
        await until_any_done((inner,))
    return await inner

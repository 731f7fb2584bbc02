# wait_for / wait_for_ms / gather.

from ._kernel import _core, CancelledError, TimeoutError, Task, promote, MAX_MS


def _check_timeout(timeout, kind):
    if timeout is None or type(timeout) is kind or (kind is float and type(timeout) is int):
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must be >= 0, got %r" % (timeout,))
        return
    raise TypeError(
        "timeout must be %s or None, got %s"
        % ("a number" if kind is float else "an int", type(timeout).__name__)
    )


# Plain functions returning the coroutine: arguments are checked at the
# call, and one generator fewer is allocated per call.
# A timeout beyond one timer's reach (or inf) is slept in steps by _wait().
def wait_for_ms(aw, timeout):
    _check_timeout(timeout, int)
    if timeout is not None and timeout > MAX_MS:
        return _wait(promote(aw), timeout)
    return _waiter(aw, timeout)


def wait_for(aw, timeout):
    _check_timeout(timeout, float)
    if timeout is not None:
        timeout *= 1000
        if timeout > MAX_MS:
            return _wait(promote(aw), timeout)
        timeout = int(timeout)
    return _waiter(aw, timeout)


def _waiter(aw, ms):
    # A Task may have other awaiters: wait for it with a relay. Anything
    # else gets a private Task, watched by the core's within() awaitable.
    if isinstance(aw, Task):
        return _wait(aw, ms)
    return _core.within(aw, ms)


async def _wait(task, ms):
    if ms is None:
        return await task
    if not task.done():
        # Sleep for the timeout; a relay on the task cuts the sleep short
        # when the task finishes first. No helper task is needed.
        r = _core.relay(task)
        try:
            while True:
                await _core.sleep_ms(MAX_MS if ms > MAX_MS else int(ms))
                ms -= MAX_MS
                if ms <= 0 or task.done():
                    break
        except CancelledError:
            _core.unrelay(r)
            task.cancel()
            raise
        _core.unrelay(r)
    if task.done():
        return await task
    task.cancel()
    try:
        await task
    except BaseException:
        pass
    raise TimeoutError


class _Gather:
    # Observer of the gathered tasks and the awaitable the gathering task
    # parks on. pending: tasks still running; failure: the first task that
    # failed, when not collecting exceptions; waiter: the parked task or None.
    def __init__(self, pending, collect):
        self.pending = pending
        self.collect = collect
        self.failure = None
        self.waiter = None

    def __call__(self, t):
        # Runs inside the core as t finishes: nothing here allocates, or a
        # full heap would lose the news and leave the gather waiting.
        if _core.failed(t) and not self.collect:
            if self.failure is None:
                self.failure = t
        else:
            self.pending -= 1
            if self.pending:
                return
        w = self.waiter
        if w is not None:
            self.waiter = None
            _core.wake(w)

    def _drop(self, t):
        self.waiter = None

    def __iter__(self):
        return self

    def __next__(self):
        if _core.resuming():
            raise StopIteration
        self.waiter = _core.current()
        _core.pause(self)


def gather(*aws, return_exceptions=False):
    # The coroutines become tasks now, as in CPython: they start running
    # even before the gather is awaited. The same coroutine given twice is
    # one task (two tasks would both drive it).
    tasks = []
    made = None  # id(coroutine) -> its task
    for aw in aws:
        if not isinstance(aw, Task):
            if made is None:
                made = {}
            t = made.get(id(aw))  # (aw is alive in aws: its id is its own)
            if t is None:
                t = made[id(aw)] = promote(aw)
            aw = t
        tasks.append(aw)
    # Watched from now on too, as CPython's gather future does: a task that
    # fails before the gather is awaited is the gather's outcome, not an
    # "exception wasn't retrieved" report.
    g = _Gather(0, return_exceptions)
    for t in tasks:
        if _core.watch(t, g):
            g.pending += 1
        elif _core.outcome(t)[0] and not return_exceptions and g.failure is None:
            g.failure = t
    return _gather(tasks, g)


async def _gather(tasks, g):
    try:
        if g.pending and g.failure is None:
            await g
    except CancelledError:
        for t in tasks:
            _core.unwatch(t, g)
            t.cancel()
        raise
    finally:
        for t in tasks:
            _core.unwatch(t, g)
    if g.failure is not None:
        raise _core.outcome(g.failure)[1]
    out = []
    for t in tasks:
        failed, value = _core.outcome(t)
        out.append(value)
    return out

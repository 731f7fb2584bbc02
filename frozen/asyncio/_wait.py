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
    return _AsCompleted(aws, timeout)


class _AsCompleted:
    # Tasks in the order they finish. As a plain iterator it gives one
    # coroutine per task, each giving the outcome of the next to finish;
    # as an async iterator (CPython 3.13) the tasks themselves.
    # todo: the tasks (each once); order: filled in as they finish, by the
    # core's observer call, which allocates nothing (slots made here);
    # n: how many finished; taken: how many handed out; given: coroutines
    # handed out by the plain iterator.
    def __init__(self, aws, timeout):
        todo = []
        for a in aws:
            t = promote(a)
            if t not in todo:
                todo.append(t)
        self.todo = todo
        self.order = [None] * len(todo)
        self.n = 0
        self.taken = 0
        self.given = 0
        self.deadline = _deadline(timeout)
        for t in todo:
            if not _core.watch(t, self):
                self(t)  # done already: in argument order

    def __call__(self, t):
        self.order[self.n] = t
        self.n += 1

    async def _take(self):
        while self.taken == self.n:
            ms = _remaining(self.deadline)
            if ms == 0:
                raise TimeoutError
            pending = [t for t in self.todo if not t.done()]
            if len(pending) + self.n < len(self.todo):
                # Done, but its observer's turn has not come yet.
                await _core.sleep_ms(0)
            else:
                await until_any_done(pending, ms)
        t = self.order[self.taken]
        self.order[self.taken] = None
        self.taken += 1
        return t

    async def _outcome(self):
        return await (await self._take())

    def __iter__(self):
        return self

    def __next__(self):
        if self.given == len(self.todo):
            raise StopIteration
        self.given += 1
        return self._outcome()

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.taken == len(self.todo):
            raise StopAsyncIteration
        return await self._take()


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

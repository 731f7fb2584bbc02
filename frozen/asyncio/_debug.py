# Debug mode (CPython's loop.set_debug(), asyncio.run(debug=True)): the
# loop times every step and reports one longer than
# loop.slow_callback_duration seconds, naming the task, its coroutine and
# what it waits on after that step, through the loop's exception handler
# (the default prints it). It swaps the kernel's two scheduler entry points
# for timed ones: with debug off the loop runs exactly as without this
# module (a new loop starts with it off). Times come from the package's
# one clock (the test clock too).

from time import ticks_diff

from . import _kernel
from ._kernel import _core


def set_debug(enabled):
    if enabled:
        _kernel.run_one = _timed_one
        _kernel.run_ready = _timed_ready
    else:
        _kernel.run_one = _core.run_one
        _kernel.run_ready = _core.run_ready
    if _core.current() is not None:
        # Called from a task: the core's run_ready() may run steps back to
        # back for long, so a private task pauses once, which makes it
        # return to the loop, which then calls the new entry point.
        from ._hooks import private_task

        _core.spawn(private_task(_nudge()))


class _Nudge:
    # Parks the task (pause(): the core's run_ready() returns) and wakes
    # it in the same breath.
    def _drop(self, t):
        pass

    def __iter__(self):
        return self

    def __next__(self):
        if _core.resuming():
            raise StopIteration
        _core.pause(self)
        _core.wake(_core.current())


async def _nudge():
    await _Nudge()


def get_debug():
    return _kernel.run_one is _timed_one


def _timed_one():
    t0 = _core.ticks()
    t = _core.run_one()
    if t is not None and t.coro is not None:
        ms = ticks_diff(_core.ticks(), t0)
        loop = _kernel.resolve("", "get_event_loop")()
        if ms >= loop.slow_callback_duration * 1000:
            _slow(loop, t, ms)
    return t


def _timed_ready(main, flags):
    # One step at a time: the loop comes back after each (it returns the
    # task, as run_ready() does main).
    return _timed_one()


def _slow(loop, t, ms):
    from ._callgraph import describe, waits_on

    loop.call_exception_handler(
        {
            "message": "Executing %s took %.3f seconds (then: %s)"
            % (describe(t), ms / 1000, waits_on(t)),
            "task": t,
        }
    )

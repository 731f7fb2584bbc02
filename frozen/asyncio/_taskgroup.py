# TaskGroup (CPython 3.11's API).
#
# MicroPython has no ExceptionGroup and no `except*`. The nearest honest
# behaviour: when children (or the body) fail, the group raises ONE
# exception, an ExceptionGroup whose `.exceptions` tuple holds every
# failure in the order they happened (CPython's builtin ExceptionGroup when
# the interpreter has it, else the small class below, also reachable as
# asyncio.ExceptionGroup). Catch it with `except Exception` / `except
# ExceptionGroup` and look at `.exceptions`; `except*` matching, split()
# and subgroup() are not available. BaseExceptions that are not Exceptions
# (KeyboardInterrupt, SystemExit) propagate alone, as in CPython.
#
# State: _parent task running the `async with`; _tasks children not yet
# seen finishing; _errors failures collected; _entered/_exiting phases;
# _aborting children are being cancelled; _parent_cancelled the group
# cancelled the parent's body (that cancellation is ours to swallow).

from ._kernel import _core, CancelledError, create_task, current_task
from ._hooks import private_task
from ._watch import until_any_done

try:
    ExceptionGroup = ExceptionGroup
except NameError:

    class ExceptionGroup(Exception):
        def __init__(self, message, exceptions):
            exceptions = tuple(exceptions)
            super().__init__(message, exceptions)
            self.message = message
            self.exceptions = exceptions

        def __str__(self):
            n = len(self.exceptions)
            return "%s (%d sub-exception%s)" % (self.message, n, "" if n == 1 else "s")


class TaskGroup:
    def __init__(self):
        self._parent = None
        self._tasks = []
        self._errors = []
        self._entered = False
        self._exiting = False
        self._aborting = False
        self._parent_cancelled = False
        self._base_error = None

    async def __aenter__(self):
        if self._entered:
            raise RuntimeError("TaskGroup has already been entered")
        self._entered = True
        self._parent = current_task()
        return self

    def create_task(self, coro, *, name=None, context=None):
        if not self._entered:
            raise RuntimeError("TaskGroup has not been entered")
        if self._exiting and not self._tasks:
            raise RuntimeError("TaskGroup is finished")
        if self._aborting:
            raise RuntimeError("TaskGroup is shutting down")
        t = create_task(self._child(coro))
        if name is not None and hasattr(t, "set_name"):
            t.set_name(name)
        self._tasks.append(t)
        return t

    async def _child(self, coro):
        try:
            return await coro
        except CancelledError:
            raise
        except Exception as e:
            self._fail(e)
            raise
        except BaseException as e:
            if self._base_error is None:
                self._base_error = e
            self._fail(None)
            raise

    def _fail(self, e):
        if e is not None:
            self._errors.append(e)
        if not self._aborting:
            self._aborting = True
            # React once the failing child has finished, in a step of its
            # own (CPython's done callback): siblings due at the same time
            # still complete.
            _core.spawn(private_task(self._react()))

    async def _react(self):
        for t in self._tasks:
            if t.done():
                _core.outcome(t)  # the group reports it, not the loop
        self._abort()
        if not self._exiting and not self._parent_cancelled:
            # The body is still running: interrupt it, as CPython does.
            self._parent_cancelled = True
            self._parent.cancel()

    def _abort(self):
        self._aborting = True
        cur = _core.current()
        for t in self._tasks:
            if not t.done() and t is not cur:
                t.cancel()

    async def __aexit__(self, exc_type, exc, tb):
        self._exiting = True
        propagate = None
        if exc is not None:
            if isinstance(exc, CancelledError):
                if not self._parent_cancelled:
                    propagate = exc  # cancelled from outside: pass it on
            elif isinstance(exc, Exception):
                self._errors.append(exc)
            elif self._base_error is None:
                self._base_error = exc
            if not self._aborting:
                self._abort()
        while True:
            pending = [t for t in self._tasks if not t.done()]
            if not pending:
                break
            try:
                await until_any_done(pending)
            except CancelledError as e:
                if not self._parent_cancelled:
                    propagate = e
                if not self._aborting:
                    self._abort()
        for t in self._tasks:
            _core.outcome(t)  # every failure is reported by the group
        self._tasks = []
        if self._base_error is not None:
            raise self._base_error
        if self._errors:
            errors = self._errors
            self._errors = []
            raise ExceptionGroup("unhandled errors in a TaskGroup", errors)
        if propagate is not None:
            raise propagate
        return exc is not None and isinstance(exc, CancelledError) and self._parent_cancelled

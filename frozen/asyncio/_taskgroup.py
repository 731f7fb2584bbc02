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
# Cancellation as CPython 3.11: when a child fails while the body runs,
# the group cancels the parent task (one more cancel request on its count,
# Task.cancelling()) and takes that request back in __aexit__ (uncancel());
# the CancelledError then is the group's own only if no other request is
# left (an enclosing timeout()'s, a cancel from outside), and the failures
# come out instead. A CancelledError the body raises itself, or a cancel
# from outside, cancels the children and goes on once they are done.
#
# State: _parent task running the `async with`; _tasks children; _errors
# failures collected, in the order they happened; _entered/_exiting
# phases; _aborting children are being cancelled; _parent_cancel_requested
# the group cancelled the parent's body (a request to take back).

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
        self._parent_cancel_requested = False
        self._base_error = None

    async def __aenter__(self):
        if self._entered:
            raise RuntimeError("TaskGroup has already been entered")
        self._entered = True
        self._parent = current_task()
        if self._parent is None:
            raise RuntimeError("TaskGroup cannot determine the parent task")
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
            self._fail(e)
            raise

    def _fail(self, e):
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
        if not self._exiting and not self._parent_cancel_requested and not self._parent.done():
            # The body is still running: interrupt it, as CPython does.
            # (Once __aexit__ waits for the children there is nothing to
            # interrupt, and CPython 3.12 ends up with no request left.)
            self._parent_cancel_requested = True
            self._parent.cancel()

    def _abort(self):
        self._aborting = True
        cur = _core.current()
        for t in self._tasks:
            if not t.done() and t is not cur:
                t.cancel()

    async def __aexit__(self, exc_type, exc, tb):
        self._exiting = True
        if exc is not None and not isinstance(exc, Exception):
            if not isinstance(exc, CancelledError) and self._base_error is None:
                self._base_error = exc
        propagate = exc if isinstance(exc, CancelledError) else None
        if self._parent_cancel_requested:
            # Our request is taken back; the CancelledError goes on only
            # if someone else's is left.
            self._parent_cancel_requested = False
            if _core.cancel_count(self._parent, -1) == 0:
                propagate = None
        if exc is not None and not self._aborting:
            self._abort()
        while True:
            pending = [t for t in self._tasks if not t.done()]
            if not pending:
                break
            try:
                await until_any_done(pending)
            except CancelledError as e:
                if not self._aborting:
                    # Cancelled from outside while waiting for children.
                    propagate = e
                    self._abort()
        for t in self._tasks:
            _core.outcome(t)  # every failure is reported by the group
        self._tasks = []
        if self._base_error is not None:
            raise self._base_error
        if propagate is not None and not self._errors:
            raise propagate
        if exc is not None and isinstance(exc, Exception):
            self._errors.append(exc)
        if self._errors:
            errors = self._errors
            self._errors = []
            raise ExceptionGroup("unhandled errors in a TaskGroup", errors)
        return None

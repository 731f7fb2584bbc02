# What each task waits on, down the chain (the idea of CPython 3.14's
# capture_call_graph()/print_call_graph(), for a REPL such as aiorepl or
# a debug report). MicroPython's coroutines expose no frames, so the
# graph is made of tasks: each entry of a task's call_stack is what it
# awaits (another task, then what that one awaits, and so on: an Event,
# a Lock, a timer, a stream...), and awaited_by lists the tasks waiting
# for it. print_call_graph() outside any task prints every task.

import sys

from . import _kernel
from ._kernel import _core, Task


def _coro_name(c):
    n = getattr(c, "__name__", None)
    if n is None:
        r = repr(c)  # MicroPython: <generator object 'name' at ...>
        i = r.find("'")
        j = r.find("'", i + 1)
        n = r[i + 1 : j] if 0 <= i < j else r
    return n + "()"


def describe(t):
    if t.data is _kernel.PRIVATE:
        return "<callback %s>" % _coro_name(t.coro)
    return "<Task %s %s>" % (t.get_name(), _coro_name(t.coro))


def waits_on(t):
    # One task's state in words, from the core's parked().
    if t.done():
        return "done"
    q, ms = _core.parked(t)
    if q is None:
        return "running" if t is _core.current() else "not started"
    if q == 1:
        return "ready to run"
    if q == 2:
        return "sleeping, due in %d ms" % ms
    if type(q) is Task:
        return "awaits " + describe(q)
    name = type(q).__name__
    if name == "_IOSlot":
        return "waits on stream %r" % (q.s,)
    if name == "_IO":
        return "waits on a ThreadSafeFlag"
    return "waits on " + name


class FutureCallGraph:
    # future: the task; call_stack: what it awaits, outermost first (tasks,
    # then the last one's state in words); awaited_by: FutureCallGraphs of
    # the tasks awaiting it.
    def __init__(self, future, call_stack, awaited_by):
        self.future = future
        self.call_stack = call_stack
        self.awaited_by = awaited_by


def _tasks():
    return [t for t in _core.heap_tasks() if t.data is not _kernel.PRIVATE]


def _chain(t, limit):
    out = []
    seen = [t]
    q = t
    while limit is None or len(out) < limit:
        p = _core.parked(q)[0] if not q.done() else None
        if type(p) is not Task or p in seen:
            out.append(waits_on(q))
            break
        out.append(p)
        seen.append(p)
        q = p
    return tuple(out)


def _graph(t, tasks, limit, seen):
    seen.append(t)
    by = []
    for w in tasks:
        if w not in seen and not w.done() and _core.parked(w)[0] is t:
            by.append(_graph(w, tasks, limit, seen))
    return FutureCallGraph(t, _chain(t, limit), tuple(by))


def capture_call_graph(future=None, *, depth=1, limit=None):
    t = future if future is not None else _core.current()
    if t is None:
        return None
    return _graph(t, _tasks(), limit, [])


def _format(g, lines, indent):
    steps = [describe(x) if type(x) is Task else x for x in g.call_stack]
    lines.append("%s* %s: %s" % (indent, describe(g.future), " -> ".join(steps)))
    if g.awaited_by:
        lines.append(indent + "  awaited by:")
        for b in g.awaited_by:
            _format(b, lines, indent + "    ")


def format_call_graph(future=None, *, depth=1, limit=None):
    if future is None and _core.current() is None:
        return format_all(limit)
    lines = []
    g = capture_call_graph(future, limit=limit)
    if g is not None:
        _format(g, lines, "")
    return "\n".join(lines)


def format_all(limit=None):
    # Every task no other task awaits, with the chain of what it awaits
    # (the tasks it awaits appear in their chains).
    lines = []
    tasks = _tasks()
    awaited = [_core.parked(t)[0] for t in tasks]
    for t in sorted(tasks, key=lambda t: t.get_name()):
        if t not in awaited:
            _format(_graph(t, tasks, limit, []), lines, "")
    return "\n".join(lines)


def print_call_graph(future=None, *, file=None, depth=1, limit=None):
    print(format_call_graph(future, limit=limit), file=file or sys.stdout)

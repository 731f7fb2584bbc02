# asyncio for MicroPython: our own scheduler, with an optional C core.
# Everything public is listed here; rarely used parts load on first use.

__version__ = "0.1.0"

from . import _kernel
from ._kernel import (
    CancelledError,
    TimeoutError,
    Task,
    create_task,
    current_task,
    run,
    run_until_complete,
    sleep,
    sleep_ms,
)

# The registry: every module of the package beyond the two above (and
# _fallback, which _kernel loads where the C core is missing), by tier,
# with the names each one provides on first use. One string in flash, not
# a dict built in RAM at import. Tiers, each a manifest option (extras=):
# "core" (MicroPython's documented asyncio), then after " | cpython" the
# CPython-compatible additions, after " | all" the MicroPython extras; an
# image holds a tier and those before it. A group is " <module>: <name>
# ...": a bare name is an attribute of the package, "Loop.x" a method of
# the loop, "Task.x" one of every task. The first module of a tier has no
# imports beyond its tier and those before: importing it tells whether the
# image holds the tier. manifest.py freezes what this lists; the surface
# test checks every name.
_LAZY = (
    " _sync: Event Lock ThreadSafeFlag"
    " _combinators: wait_for wait_for_ms gather"
    " _streams: open_connection start_server Stream StreamReader StreamWriter Server"
    " IncompleteReadError"
    " _loop: Loop get_event_loop new_event_loop"
    " | cpython"
    " _hooks:"
    " _waitq:"
    " _watch:"
    " _semaphore: Semaphore BoundedSemaphore"
    " _queues: Queue LifoQueue PriorityQueue QueueEmpty QueueFull QueueShutDown"
    " _condition: Condition"
    " _barrier: Barrier BrokenBarrierError"
    " _taskgroup: TaskGroup ExceptionGroup"
    " _timeouts: timeout timeout_at Timeout"
    " _wait: wait as_completed shield FIRST_COMPLETED FIRST_EXCEPTION ALL_COMPLETED"
    " _alltasks: all_tasks"
    " _taskext: InvalidStateError ensure_future iscoroutine Task.result Task.exception"
    " Task.cancelled Task.get_name Task.set_name Task.get_coro Task.add_done_callback"
    " Task.remove_done_callback Task.cancelling Task.uncancel"
    " _callbacks: Handle TimerHandle Loop.time Loop.call_soon Loop.call_later"
    " Loop.call_later_ms Loop.call_at Loop.is_running Loop.is_closed"
    " _future: Future isfuture Loop.create_future"
    " _threads: to_thread Loop.run_in_executor"
    " _crossthread: run_coroutine_threadsafe Loop.call_soon_threadsafe"
    " _running: get_running_loop"
    " _dns:"  # resolution without blocking, for open_connection/start_server too
    " _getaddrinfo: Loop.getaddrinfo"
    " _datagram: BaseProtocol DatagramProtocol DatagramTransport Loop.create_datagram_endpoint"
    " _streamext: Server.serve_forever Server.is_serving Server.close_clients"
    " Server.abort_clients"
    " _runner: Runner"
    " _debug: Loop.set_debug Loop.get_debug"
    " _callgraph: capture_call_graph format_call_graph print_call_graph FutureCallGraph"
    " _eager: eager_task_factory create_eager_task_factory Loop.set_task_factory"
    " Loop.get_task_factory"
    " | all"
    " _ringq: RingbufQueue"
    " _threadsafe: ThreadSafeEvent ThreadSafeQueue"
    " _delay: Delay_ms"
    " _message: Message"
    " _broker: Broker RegExp broker"
    " _fastio: fast_io"
    " _nameserver: set_nameserver"
    " _udp: open_datagram DatagramSocket"
    " _pinevent: PinEvent pin_event"
    " _dumptasks: dump_tasks"
    " _lowpower: low_power"
    " core: core"  # upstream's module, for drivers that reach into it
    " "
)


def _resolve(where, name):
    # The object registered as `name` of `where` ("" the package, or a
    # class: "Loop", "Task"...), loaded on first use; None for a name the
    # registry lacks. With name None, the names registered for a class.
    if name is None:
        return [w[len(where) + 1 :] for w in _LAZY.split() if w.startswith(where + ".")]
    key = " %s%s%s " % (where, "." if where else "", name)
    i = _LAZY.find(key)
    if i < 0 or name.startswith("_"):
        return None
    j = _LAZY.rfind(":", 0, i)
    home = _LAZY[_LAZY.rfind(" ", 0, j) + 1 : j]
    try:
        module = _import(home)
    except ImportError as e:
        # The image may lack the module's tier: its first module imports
        # only what a tier held with it holds, so importing it tells.
        k = _LAZY.rfind(" | ", 0, i)
        if k < 0:
            raise e
        first = _LAZY.find(" ", k + 3) + 1
        try:
            _import(_LAZY[first : _LAZY.find(":", first)])
        except ImportError:
            raise AttributeError(
                "%s: image built without the '%s' extras" % (key.strip(), _LAZY[k + 3 : first - 1])
            )
        raise e  # the tier is there: the module's own error
    return module if home == name else getattr(module, name)


def _import(home):
    # With the heap too full to make the module object, MicroPython (1.25
    # to 1.28) leaves its name in sys.modules with nothing behind it, and
    # every later import of it returns that nothing: a crash. So after a
    # MemoryError such entries of ours go: dict.get() reads one as None and
    # pop() with a default drops it quietly (del would raise KeyError after
    # dropping it). Nothing there allocates: a dict's keys iterate in place,
    # and after a deletion the walk starts over.
    try:
        return __import__(home, globals(), None, (home,), 1)
    except MemoryError:
        import sys

        mods = sys.modules
        again = True
        while again:
            again = False
            for key in mods:
                if key.startswith("asyncio") and mods.get(key) is None:
                    mods.pop(key, None)
                    again = True
                    break
        raise


def __getattr__(name):
    value = _resolve("", name)
    if value is None:
        raise AttributeError("module 'asyncio' has no attribute '%s'" % name)
    globals()[name] = value
    return value


# The layers below reach the ones above only through the registry.
_kernel.resolve = _resolve
if hasattr(_kernel._core, "extend_task"):  # (not in a C core built without the extras)
    _kernel._core.extend_task(_resolve)

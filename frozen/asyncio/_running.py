# get_running_loop() (CPython): the loop, for code running in it.

from ._kernel import _core
from ._loop import loop

try:
    import _thread  # noqa: F401
except ImportError:
    _arm = None
else:
    from ._crossthread import arm as _arm


def get_running_loop():
    if _core.current() is None:
        raise RuntimeError("no running event loop")
    if _arm is not None:
        # The loop handed to a thread must wake for its first
        # call_soon_threadsafe() too: a loop asleep toward a timer cannot be
        # woken unless it already watches the porter's bell, so the porter
        # starts here, on the loop's thread. (Loading the method here also
        # spares threads a race in MicroPython's import, which has no lock.)
        _arm(True)
        loop.call_soon_threadsafe  # noqa: B018  (loads it)
    return loop

# Waiting for "any of these tasks finished" without awaiting the tasks
# themselves: awaiting a task would make cancelling the waiter cancel that
# task too (the core cancels through awaited tasks), and shield(), wait()
# and TaskGroup must not. The waiter sleeps; a core relay on each task cuts
# the sleep short when that task finishes.

from ._kernel import _core
from ._kernel import MAX_MS


async def until_any_done(tasks, ms=None):
    # Returns when one of `tasks` is done or after ms (None: no limit; the
    # caller re-checks, so a spurious return is harmless).
    relays = []
    try:
        for t in tasks:
            if t.done():
                return
            relays.append(_core.relay(t))
        await _core.sleep_ms(MAX_MS if ms is None or ms > MAX_MS else ms)
    finally:
        for r in relays:
            _core.unrelay(r)

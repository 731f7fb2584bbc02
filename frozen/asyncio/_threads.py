# asyncio.to_thread() and loop.run_in_executor(None, ...) (CPython): run a
# blocking function in a thread of its own (ports with _thread: unix, ESP32,
# RP2040's second core) while the loop goes on. The thread reports back
# through a ThreadSafeFlag, the primitive that may be set from outside the
# loop. Cancelling the awaiter stops the waiting, not the thread: a thread
# cannot be interrupted, in CPython either.

from ._kernel import create_task
from ._sync import ThreadSafeFlag


async def to_thread(func, *args, **kwargs):
    try:
        from _thread import start_new_thread
    except ImportError:
        raise RuntimeError("to_thread() needs threads (_thread), which this port lacks")
    done = ThreadSafeFlag()
    out = []

    def body():
        try:
            out.append((False, func(*args, **kwargs)))
        except BaseException as e:  # (even SystemExit: it belongs to the awaiter)
            out.append((True, e))
        done.set()

    # (RP2040 has one spare core: a second thread at once raises OSError here.)
    start_new_thread(body, ())
    await done.wait()
    failed, value = out[0]
    if failed:
        raise value
    return value


def run_in_executor(executor, func, *args):
    # MicroPython has no concurrent.futures: only the default executor.
    if executor is not None:
        raise TypeError("run_in_executor(): only the default executor (None) exists here")
    return create_task(to_thread(func, *args))

# asyncio.low_power(): opt-in low-power idle. When the next timer is at
# least min_ms away and no task waits on a stream or a ThreadSafeFlag, the
# loop calls hook(ms) (default: machine.lightsleep where the port has it,
# else time.sleep_ms) instead of time.sleep_ms(ms): it rebinds the kernel's
# _block_ms. A hook may return early (an interrupt woke the board): the
# loop looks again and sleeps the rest, so timers never fire early; they
# fire late by the hook's wake-up latency.
# Nothing due at all (a task waits for an IRQ handler's Event, say) stays
# on the short time.sleep_ms() naps: lightsleep may not wake for every IRQ.

from time import sleep_ms

from . import _kernel


def _default_hook():
    try:
        from machine import lightsleep

        return lightsleep
    except ImportError:
        return sleep_ms


def low_power(enable=True, min_ms=20, hook=None):
    if type(min_ms) is not int or min_ms < 1:
        raise ValueError("min_ms must be an int >= 1")
    if hook is not None and not callable(hook):
        raise TypeError("hook must be callable")
    if not enable:
        _kernel._block_ms = sleep_ms
        return
    if hook is None:
        hook = _default_hook()

    def idle(ms):
        if ms >= min_ms:
            hook(ms)
        else:
            sleep_ms(ms)

    _kernel._block_ms = idle

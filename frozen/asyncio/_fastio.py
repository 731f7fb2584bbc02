# Fast-I/O mode: a task whose stream (UART, socket, ThreadSafeFlag, any
# ioctl-polled object) becomes ready runs next, ahead of the tasks already
# queued, instead of waiting its turn in the round robin. The loop polls
# I/O before every task step either way; this only changes where the woken
# task is queued. Trade-off: a busy stream can starve the rest.

from . import _kernel
from ._kernel import _core
from ._hooks import wake_first


def fast_io(enable=True):
    # Returns the previous setting.
    was = _kernel.io_wake is wake_first
    _kernel.io_wake = wake_first if enable else _core.wake
    return was

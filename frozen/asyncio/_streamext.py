# CPython's Server methods beyond MicroPython's documented ones: the
# registry makes them methods of Server on first use. (Not Stream's: a
# __getattr__ there would slow every attribute of every stream, MicroPython
# then looking for descriptors at each access.)

from ._kernel import CancelledError


def is_serving(self):
    return not self.closing and not self.task.done()


async def serve_forever(self):
    # Serve until cancelled, which closes the server; a close() from
    # elsewhere ends it with CancelledError, as in CPython.
    if self.closing:
        raise RuntimeError("server is closed")
    try:
        await self.task
    except CancelledError:
        self.close()
        await self.wait_closed()
        raise
    raise CancelledError

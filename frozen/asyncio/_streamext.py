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


def _end(server, flush):
    # A handler waiting to read on its stream wakes and sees the end (as in
    # CPython); one that writes gets OSError(EBADF) from drain(), which the
    # server keeps to itself. flush: bytes still queued are sent first, as
    # far as the socket takes them without waiting.
    server.ended = True
    for stream in list(server.clients):
        if flush and stream.out_buf:
            try:
                stream.s.write(stream.out_buf)
            except OSError:
                pass
        stream.out_buf = b""
        stream.close()


def close_clients(self):
    # (CPython 3.13) Close every connection still being handled.
    _end(self, True)


def abort_clients(self):
    # The same, dropping what was queued to send.
    _end(self, False)

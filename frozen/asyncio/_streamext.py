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


class _Ended:
    # What a stream closed by close_clients() reads from from then on: the
    # end, as CPython's reader sees once its transport is closed (the socket
    # itself would raise EBADF). Writes fail as on a lost connection.
    def read(self, n=-1):
        return b""

    def readline(self):
        return b""

    def readinto(self, buf):
        return 0

    def write(self, buf):
        raise OSError(104, "connection closed by close_clients()")  # ECONNRESET

    def close(self):
        pass


_ended = _Ended()


def _end(server, flush):
    # A handler waiting on its stream wakes (the poller reports the closed
    # socket) to read the end. flush: bytes still queued are sent first, as
    # far as the socket takes them without waiting.
    for stream in list(server.clients):
        s = stream.s
        if flush and stream.out_buf:
            try:
                s.write(stream.out_buf)
            except OSError:
                pass
        stream.out_buf = b""
        stream.s = _ended
        stream.closed = True
        s.close()


def close_clients(self):
    # (CPython 3.13) Close every connection still being handled.
    _end(self, True)


def abort_clients(self):
    # The same, dropping what was queued to send.
    _end(self, False)

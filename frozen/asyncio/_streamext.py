# CPython's stream methods beyond MicroPython's documented streams: the
# registry makes them methods of Stream and Server on first use.

from ._kernel import CancelledError
from ._streams import IncompleteReadError, wait_io


def at_eof(self):
    # Nothing is buffered, so: has a read met the end of the stream?
    return self._eof


def is_closing(self):
    return self.closed


def writelines(self, lines):
    for buf in lines:
        self.write(buf)


async def readuntil(self, separator=b"\n"):
    # A byte at a time: the stream keeps no buffer, so it must not read
    # past the separator. For header-sized data (use readline() for lines).
    # Polled before each byte like every other read: a driver whose read()
    # blocks is never called before it is ready, and a stream that never
    # runs dry cannot starve the other tasks.
    if not separator:
        raise ValueError("Separator should be at least one-byte string")
    data = b""
    while not data.endswith(separator):
        await wait_io(self.s, False)
        got = self.s.read(1)
        if got is None:
            continue
        if not got:
            self._eof = True
            raise IncompleteReadError(data, None)
        data += got
    return data


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

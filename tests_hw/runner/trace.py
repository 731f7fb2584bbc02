"""--trace: what a board prints while a test runs, shown as it comes, a line at a time,
each line prefixed with the board and the test (several boards print at once)."""

import sys

from .progress import STDERR_LOCK

# A line longer than this is shown in pieces: a test printing without a newline must not
# make the host hold its output.
LINE_LIMIT = 4096


class Trace:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        # On a terminal the progress line is rewritten in place: clear it first.
        self._clear = "\r\x1b[K" if getattr(self.stream, "isatty", lambda: False)() else ""

    def tap(self, board, test):
        return Tap(self, f"{board} {test}| ")

    def write_line(self, text):
        with STDERR_LOCK:
            self.stream.write(self._clear + text + "\n")
            self.stream.flush()


class Tap:
    """One test's output on one board; feed() takes bytes as they arrive."""

    def __init__(self, trace, prefix):
        self.trace = trace
        self.prefix = prefix
        self.partial = bytearray()

    def feed(self, data):
        self.partial += data
        *lines, rest = self.partial.split(b"\n")
        for line in lines:
            self._show(line)
        while len(rest) > LINE_LIMIT:
            self._show(rest[:LINE_LIMIT])
            rest = rest[LINE_LIMIT:]
        self.partial = bytearray(rest)

    def close(self):
        """Show what is left of a last line without a newline."""
        if self.partial:
            self._show(self.partial)
            self.partial = bytearray()

    def _show(self, line):
        text = bytes(line).rstrip(b"\r").decode("utf-8", "replace")
        self.trace.write_line(self.prefix + text)

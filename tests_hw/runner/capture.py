"""A test's stdout as the runner keeps it: bounded memory however much the test prints.

Kept: the start (as much as comparing with the expected output needs), the last
TAIL_CHARS characters for the report, hwtest's FAIL and summary lines wherever
they come, and the last few hundred bytes, where a board that reset shows its
boot banner and waits at the friendly prompt.
"""

import re

TAIL_CHARS = 4000
# A UTF-8 character is at most 4 bytes, so this many bytes hold TAIL_CHARS of text.
TAIL_BYTES = 4 * TAIL_CHARS + 4
# Beyond what the expected output needs, this much of the start, for a readable diff.
HEAD_MARGIN = 64 * 1024
LINE_BYTES = 2000  # of a FAIL or summary line
FAILS_CHARS = 500  # of the FAIL lines the verdict quotes
WINDOW_BYTES = 512

# A MicroPython board starting up, then waiting at the friendly REPL's prompt.
BOOT_BANNER = re.compile(
    rb'MicroPython [^\r\n]*\r?\n(?:Type "help\(\)" for more information\.\r?\n)?>>> \Z'
)
# What tests_hw.runner.unixboard prints when the unix image exits mid-run.
RELAY_NOTICE = re.compile(rb"unixboard: ([^\r\n]*)\r?\n\Z")


def text(data):
    """Board output as text with '\\n' line ends."""
    return bytes(data).decode("utf-8", "replace").replace("\r\n", "\n")


class Capture:
    """Feed it the output as it arrives (feed is an on_output for Session.exec)."""

    def __init__(self, expected=None, hwtest=False):
        # A board's "\r\n" at most doubles the expected output's UTF-8 length, so
        # output longer than that cannot match it: its start is enough to say how.
        self.head_limit = HEAD_MARGIN + (2 * len(expected.encode()) if expected is not None else 0)
        self.head = bytearray()
        self.tail = bytearray()
        self.size = 0
        self.hwtest = hwtest
        self._fails = []
        self._fails_chars = 0
        self._summary = None
        self._line = bytearray()  # the start of the line being printed
        self._window = b""
        self._window_new = False

    def feed(self, data):
        self.size += len(data)
        if len(self.head) < self.head_limit:
            self.head += data[: self.head_limit - len(self.head)]
        self.tail += data
        if len(self.tail) > TAIL_BYTES:
            del self.tail[: len(self.tail) - TAIL_BYTES]
        self._window = (self._window + data)[-WINDOW_BYTES:]
        self._window_new = True
        if self.hwtest:
            self._scan(data)

    # -- what the verdict reads ---------------------------------------------
    @property
    def complete(self):
        """True when `head` is the whole output."""
        return self.size <= self.head_limit

    def start_text(self):
        """The output (its start when not complete), for comparing and diffs."""
        return text(self.head)

    def shown(self):
        """The output as a diff shows it: what was dropped is named, not silently cut."""
        if self.complete:
            return self.start_text()
        return (
            self.start_text() + f"\n[... {self.size - len(self.head):,} more bytes not kept ...]\n"
        )

    def tail_text(self):
        """The last TAIL_CHARS characters."""
        return text(self.tail)[-TAIL_CHARS:]

    def hwtest_lines(self):
        """(FAIL lines, as many as the verdict quotes; the last 'hwtest: ' summary line or
        None)."""
        fails, summary = list(self._fails), self._summary
        pending = self._line_text(self._line)  # a last line without a newline counts too
        if pending.startswith("FAIL ") and self._fails_chars < FAILS_CHARS:
            fails.append(pending)
        elif pending.startswith("hwtest: "):
            summary = pending
        return fails, summary

    def reboot(self):
        """None, or what the board said when it came back from a reset mid-test."""
        if not self._window_new:
            return None
        self._window_new = False
        banner = BOOT_BANNER.search(self._window)
        if banner is None:
            return None
        said = banner.group().splitlines()[0].decode("utf-8", "replace")
        notice = RELAY_NOTICE.search(self._window, 0, banner.start())
        if notice:
            return notice.group(1).decode("utf-8", "replace")
        return f"it printed its boot banner ({said!r})"

    # -- line scanning (hwtest) ---------------------------------------------
    def _scan(self, data):
        parts = data.split(b"\n")
        if len(self._line) < LINE_BYTES:
            self._line += parts[0][:LINE_BYTES]
        for line in parts[1:]:
            self._end_line()
            self._line = bytearray(line[:LINE_BYTES])

    def _end_line(self):
        if self._line.startswith(b"FAIL "):
            if self._fails_chars < FAILS_CHARS:
                line = self._line_text(self._line)
                self._fails.append(line)
                self._fails_chars += len(line) + 2  # and the "; " joining them
        elif self._line.startswith(b"hwtest: "):
            self._summary = self._line_text(self._line)

    @staticmethod
    def _line_text(line):
        return bytes(line[:LINE_BYTES]).rstrip(b"\r").decode("utf-8", "replace")

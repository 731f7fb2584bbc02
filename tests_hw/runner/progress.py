"""A live one-line progress display (rewritten in place on a terminal, plain
lines otherwise) plus a line per failing test."""

import sys
import threading
import time

from .results import BAD


class Progress:
    def __init__(self, total, stream=None):
        self.total = total
        self.done = 0
        self.bad = 0
        self.running = {}
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def _line(self):
        running = ", ".join(f"{b}:{t}" for b, t in sorted(self.running.items()))
        return (
            f"[{self.done}/{self.total}] {self.bad} bad, {time.monotonic() - self.started:.1f}s"
            + (f"  running {running}" if running else "")
        )

    def _show(self, text, final=False):
        if self.live:
            self.stream.write("\r\x1b[K" + text[:160] + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, board, test):
        with self._lock:
            self.running[board] = test.name
            self._show(self._line())

    def result(self, r):
        with self._lock:
            self.done += 1
            self.running.pop(r.board, None)
            if r.status in BAD:
                self.bad += 1
                self._show(f"{r.status.upper():7} {r.board} {r.test}: {r.message}", final=True)
            elif r.leak:
                self._show(
                    f"LEAK    {r.board} {r.test}: heap {r.heap_before} -> {r.heap_after}",
                    final=True,
                )
            self._show(self._line(), final=not self.live)

    def finish(self):
        if self.live:
            self._show(self._line(), final=True)

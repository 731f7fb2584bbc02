"""Runs a suite on one or more boards at once, one thread per board.

mode "split": boards take the next test from one shared queue (the suite is
shared out); mode "each": every board runs the whole suite. Results carry the
board's label.
"""

import queue
import threading

from . import errors
from .board import BoardRunner
from .results import ERROR, TestResult

MODES = ("split", "each")


class Engine:
    def __init__(
        self, targets, tests, mode="split", on_result=None, on_start=None, **runner_options
    ):
        if mode not in MODES:
            raise errors.UsageError(f"unknown mode {mode!r} (use split or each)")
        if not targets:
            raise errors.UsageError("no board: give --board NAME or --port PORT")
        self.tests = tests
        self.mode = mode
        self.runners = [BoardRunner(t, **runner_options) for t in targets]
        self.on_result = on_result or (lambda result: None)
        self.on_start = on_start or (lambda board, test: None)
        self.results = []
        self.board_errors = {}
        self._lock = threading.Lock()

    def boards(self):
        return [
            {
                "label": r.label,
                "target": r.target.describe(),
                "features": r.features,
                "error": self.board_errors.get(r.label),
            }
            for r in self.runners
        ]

    def connect(self):
        """Connect every board in parallel; raise if none can be used."""

        def connect_one(runner):
            try:
                runner.connect()
            except errors.FirmwareError as e:
                self.board_errors[runner.label] = str(e)
                runner.close()

        threads = [threading.Thread(target=connect_one, args=(r,)) for r in self.runners]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(self.board_errors) == len(self.runners):
            first = self.runners[0].label
            raise (
                errors.TargetError(self.board_errors[first])
                if len(self.runners) == 1
                else errors.TargetError(
                    "no board usable: "
                    + "; ".join(f"{k}: {v}" for k, v in self.board_errors.items())
                )
            )

    def _record(self, result):
        with self._lock:
            self.results.append(result)
        self.on_result(result)

    def _run_board(self, runner, work):
        while True:
            try:
                test = work.get_nowait() if isinstance(work, queue.Queue) else next(work)
            except (queue.Empty, StopIteration):
                return
            if runner.label in self.board_errors:
                self._record(
                    TestResult(
                        test.name, runner.label, ERROR, message=self.board_errors[runner.label]
                    )
                )
                continue
            self.on_start(runner.label, test)
            try:
                result = runner.run(test)
            except Exception as e:  # a runner bug must not cost the other boards their results
                result = TestResult(
                    test.name,
                    runner.label,
                    ERROR,
                    message=f"runner error: {type(e).__name__}: {e}",
                )
            self._record(result)

    def run(self):
        """Run everything; returns the results (also passed one by one to on_result)."""
        try:
            self.connect()
            usable = [r for r in self.runners if r.label not in self.board_errors]
            if self.mode == "split":
                shared = queue.Queue()
                for test in self.tests:
                    shared.put(test)
                jobs = [(r, shared) for r in usable]
            else:
                jobs = [(r, iter(self.tests)) for r in self.runners]
            threads = [
                threading.Thread(target=self._run_board, args=job, daemon=True) for job in jobs
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            self.close()
        return self.results

    def close(self):
        for runner in self.runners:
            try:
                runner.close()
            except Exception:
                pass

"""Runs a suite on one or more boards at once, one thread per board.

mode "split": boards take the next test from one shared queue (the suite is
shared out); mode "each": every board runs the whole suite. Results carry the
board's label.
"""

import queue
import threading

from . import errors
from .board import BoardRunner
from .reruns import Reruns
from .results import ABORTED, ERROR, TestResult

MODES = ("split", "each")


class Engine:
    def __init__(
        self,
        targets,
        tests,
        mode="split",
        on_result=None,
        on_start=None,
        reruns=None,
        **runner_options,
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
        self.reruns = reruns or Reruns()
        self.results = []
        self._working = []  # the boards running the suite
        self._left = set()  # labels of boards given up on that stopped taking tests
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
        wrong = []

        def connect_one(runner):
            try:
                runner.connect()
            except errors.FirmwareError as e:
                self.board_errors[runner.label] = str(e)
                if isinstance(e, errors.WrongImage):
                    wrong.append(e)
                runner.close()

        threads = [threading.Thread(target=connect_one, args=(r,)) for r in self.runners]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if wrong:  # a suite on another build than the one flashed would answer the wrong question
            raise wrong[0]
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
            if runner.abort_reason and isinstance(work, queue.Queue) and self._leave(runner):
                return  # given up on: the boards still working take the rest of the suite
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
            first = result = self._run_one(runner, test)
            attempts, allowed = 1, self.reruns.allowed(test.name)
            while not result.ok and result.status != ABORTED and attempts <= allowed:
                attempts += 1
                result = self._run_one(runner, test)
            self._record(self.reruns.settle(first, result, attempts))

    def _leave(self, runner):
        """In split mode, may a board given up on stop taking tests? Yes while another
        board still works; the last one left takes the rest (each marked not run)."""
        with self._lock:
            self._left.add(runner.label)
            still = [r for r in self._working if r.label not in self._left]
            if not still:
                self._left.discard(runner.label)
            return bool(still)

    def _run_one(self, runner, test):
        self.on_start(runner.label, test)
        try:
            return runner.run(test)
        except Exception as e:  # a runner bug must not cost the other boards their results
            return TestResult(
                test.name, runner.label, ERROR, message=f"runner error: {type(e).__name__}: {e}"
            )

    def run(self):
        """Run everything; returns the results (also passed one by one to on_result)."""
        try:
            self.connect()
            usable = [r for r in self.runners if r.label not in self.board_errors]
            self._working = usable
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

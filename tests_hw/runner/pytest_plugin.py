"""pytest plugin (loaded by tests_hw/conftest.py): each device test in tests_hw/suite is a
pytest item.

    pytest tests_hw --board QEMU_MPS2_AN385
    pytest tests_hw --board UNIX --board QEMU_MPS2_AN385 --mode each --junitxml=out.xml
    pytest tests_hw --port /dev/ttyACM0 | COM3 | rfc2217://host:port | socket://host:port
                         | id:<USB serial>

Several boards: the whole selected suite runs through the runner's Engine in
a background thread (boards in parallel) as soon as the first item runs;
each item then waits for, and reports, its own result. With --mode each an
item is parametrized per board (`test_x.py[QEMU_MPS2_AN385#2]`); with
--mode split there is one item per test and the board that ran it is in the
item's properties (JUnit <properties>).
"""

import threading
from pathlib import Path

import pytest

from tests_hw.runner import errors
from tests_hw.runner.cli import add_target_arguments, runner_options
from tests_hw.runner.engine import Engine
from tests_hw.runner.results import SKIP
from tests_hw.runner.suite import load
from tests_hw.runner.targets import make_targets

DEFAULT_SUITE = Path(__file__).resolve().parents[1] / "suite"
RESULT_WAIT = 3600  # the engine times tests out itself; this only guards against a runner bug


def pytest_addoption(parser):
    group = parser.getgroup("device tests", "MicroPython device tests (tests_hw/suite)")
    add_target_arguments(group.addoption)
    group.addoption(
        "--device-suite",
        default=str(DEFAULT_SUITE),
        metavar="DIR",
        help="directory whose test_*.py files are device tests (default: tests_hw/suite)",
    )


def pytest_configure(config):
    config._device_run = DeviceRun(config)


def pytest_unconfigure(config):
    run = getattr(config, "_device_run", None)
    if run is not None:
        run.stop()


def pytest_pycollect_makemodule(module_path, parent):
    # Suite files are MicroPython programs: never import them into CPython.
    suite = Path(parent.config.option.device_suite).resolve()
    if suite in Path(module_path).resolve().parents:
        return DeviceFile.from_parent(parent, path=module_path)
    return None


class DeviceRun:
    """Lazily starts one Engine for all selected device items and hands out results."""

    def __init__(self, config):
        self.config = config
        self.labels = None
        self.targets = None
        self.target_error = None
        self.engine = None
        self.results = {}
        self.done = {}
        self.lock = threading.Lock()
        self.failure = None

    def board_labels(self):
        if self.labels is None:
            opt = self.config.option
            try:
                self.targets = make_targets(opt.board, opt.port, micropypath=opt.micropypath)
            except errors.FirmwareError as e:
                self.target_error = str(e)
                self.targets = []
            self.labels = [t.label for t in self.targets]
        return self.labels

    def mode(self):
        return self.config.option.mode

    def _key(self, test_name, board):
        return (test_name, board if self.mode() == "each" else None)

    def _record(self, result):
        key = self._key(result.test, result.board)
        with self.lock:
            self.results[key] = result
            event = self.done.setdefault(key, threading.Event())
        event.set()

    def start(self, session):
        with self.lock:
            if self.engine is not None or self.failure is not None:
                return
            items = [i for i in session.items if isinstance(i, DeviceItem)]
            tests, seen = [], set()
            for item in items:
                if item.test.name not in seen:
                    seen.add(item.test.name)
                    tests.append(item.test)
            try:
                self.engine = Engine(
                    self.targets,
                    tests,
                    mode=self.mode(),
                    on_result=self._record,
                    **runner_options(self.config.option),
                )
            except errors.FirmwareError as e:
                self.failure = str(e)
                return
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            self.engine.run()
        except errors.FirmwareError as e:
            self.failure = str(e)
        except Exception as e:
            self.failure = f"runner error: {type(e).__name__}: {e}"
        with self.lock:
            events = list(self.done.values())
            self.finished = True
        for event in events:
            event.set()  # nobody waits forever for a result that will not come

    def result_for(self, test_name, board):
        key = self._key(test_name, board)
        with self.lock:
            event = self.done.setdefault(key, threading.Event())
            if getattr(self, "finished", False):
                event.set()
        event.wait(RESULT_WAIT)
        return self.results.get(key)

    def stop(self):
        if self.engine is not None:
            self.engine.close()


class DeviceFile(pytest.File):
    def collect(self):
        run = self.config._device_run
        test = load(self.path)
        labels = run.board_labels()
        if run.mode() == "each" and len(labels) > 1:
            for label in labels:
                yield DeviceItem.from_parent(
                    self, name=f"{self.path.name}[{label}]", test=test, board=label
                )
        else:
            yield DeviceItem.from_parent(self, name=self.path.name, test=test, board=None)


class DeviceTestFailed(Exception):
    pass


class DeviceItem(pytest.Item):
    def __init__(self, *, test, board, **kwargs):
        super().__init__(**kwargs)
        self.test = test
        self.board = board

    def runtest(self):
        run = self.config._device_run
        if run.target_error:
            pytest.exit(f"error: {run.target_error}", returncode=2)
        if not run.labels:
            pytest.skip("no board selected: pass --board NAME or --port PORT")
        run.start(self.session)
        result = (
            None
            if run.failure
            else run.result_for(
                self.test.name, self.board or (run.labels[0] if run.mode() == "each" else None)
            )
        )
        if result is None:
            if run.failure:
                pytest.exit(f"error: {run.failure}", returncode=2)
            raise DeviceTestFailed("no result from the runner")
        for name in ("board", "status", "duration", "heap_before", "heap_after", "leak"):
            self.user_properties.append((name, getattr(result, name)))
        if result.recovery:
            self.user_properties.append(("recovery", "; ".join(result.recovery)))
        if result.status == SKIP:
            pytest.skip(f"{result.board}: {result.message}")
        if not result.ok:
            raise DeviceTestFailed(result)

    def repr_failure(self, excinfo):
        if (
            isinstance(excinfo.value, DeviceTestFailed)
            and excinfo.value.args
            and hasattr(excinfo.value.args[0], "status")
        ):
            r = excinfo.value.args[0]
            lines = [f"{r.status} on {r.board} after {r.duration:.2f}s: {r.message}"]
            if r.recovery:
                lines.append("board recovery: " + ", ".join(r.recovery))
            if r.diff:
                lines += ["", r.diff]
            elif r.output:
                lines += ["", "device output:", r.output[-2000:]]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.test.name} ({self.test.kind})"

"""Runs device tests on one board, one at a time, and gets the board back
when a test breaks it: Ctrl-C, soft reset, hard reset + reconnect, and
finally giving up on the board after N consecutive device failures."""

import re
import time
from pathlib import Path

from . import errors, flashing, probes
from .capture import Capture
from .capture import text as board_text
from .results import ABORTED, ERROR, SKIP, TIMEOUT, DEFAULT_LEAK_THRESHOLD, TestResult, judge

HARNESS = Path(__file__).resolve().parents[1] / "harness" / "hwtest.py"
# What a session holds of a test's stdout and of its traceback (the Capture keeps the rest).
EXEC_KEEP = 16 * 1024
# A pty fails as the emulator closes it, a moment before the process has ended.
ENDING_WAIT = 5.0

# Interned names (qstrs) live on the heap until the next soft reset; they are
# not a leak, so their growth (from micropython.qstr_info, where the port has
# it) is taken off the difference.
HEAP_REPORT = """gc.collect()
try:
    import micropython
    micropython.qstr_info()
except (ImportError, AttributeError):
    pass
print(gc.mem_free())
"""
# asyncio is imported before the first measurement: a C `_asyncio` keeps the package
# it was started with reachable from its root pointers, a fixed cost per session
# that is not the test's doing.
HEAP_FREE = (
    """import gc
try:
    import asyncio
except ImportError:
    pass
"""
    + HEAP_REPORT
)
QSTR_BYTES = re.compile(r"n_total_bytes=(\d+)")
# Drop what the test left in __main__ and sys.modules, then measure: what is
# still allocated is held from somewhere the test had no business keeping.
# Measured by a second snippet: within the one that drops them, stale stack slots
# (the list of popped globals) can still point at them, and the GC scans the stack
# conservatively (on PYBV11_QEMU, 6 KB kept on some runs: a false leak).
DROP_TEST_STATE = """import sys
[globals().pop(k) for k in list(globals()) if k not in ("__name__", "sys")]
sys.modules.clear()
try:
    import vfs
    vfs.umount("/_hwtest")
    sys.path.remove("/_hwtest")
except Exception:
    pass
del sys
"""
HEAP_NOW = "import gc\n" + HEAP_REPORT
# No filesystem needed: the harness is served from a RAM filesystem mounted
# for the test (the VFS protocol mpremote's `mount` uses), so `import hwtest`
# gives a real module. Ports without vfs.mount get a stand-in object instead,
# which behaves the same except that assigning to its attributes does not
# change the harness's globals.
INSTALL_HARNESS = """def _hw_install(src):
    import sys
    try:
        import io, vfs

        class File(io.IOBase):
            def __init__(self, data):
                self.data, self.pos = data, 0

            def readinto(self, buf):
                n = min(len(buf), len(self.data) - self.pos)
                buf[:n] = self.data[self.pos : self.pos + n]
                self.pos += n
                return n

            def ioctl(self, req, arg):
                return 0

        class HarnessFS:
            def mount(self, readonly, mkfs):
                pass

            def umount(self):
                pass

            def chdir(self, path):
                pass

            def stat(self, path):
                if path.strip("/") == "hwtest.py":
                    return (0x8000, 0, 0, 0, 0, 0, len(src), 0, 0, 0)
                if path.strip("/") == "":
                    return (0x4000, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                raise OSError(2)

            def ilistdir(self, path):
                return iter([("hwtest.py", 0x8000, 0, len(src))])

            def open(self, path, mode):
                if path.strip("/") != "hwtest.py":
                    raise OSError(2)
                return File(src)

        vfs.mount(HarnessFS(), "/_hwtest")
        sys.path.insert(0, "/_hwtest")
        return
    except (ImportError, AttributeError, OSError):
        pass
    ns = {"__name__": "hwtest"}
    exec(src, ns)
    class Module:
        pass
    m = Module()
    for k in ns:
        setattr(m, k, ns[k])
    sys.modules["hwtest"] = m
_hw_install(%r)
del _hw_install
"""


class BoardRunner:
    def __init__(
        self,
        target,
        timeout=30.0,
        max_device_failures=3,
        leak_threshold=DEFAULT_LEAK_THRESHOLD,
        measure_heap=True,
        trace=None,
    ):
        self.target = target
        self.trace = trace  # a trace.Trace: show the board's output as it comes
        self.default_timeout = timeout
        self.max_device_failures = max_device_failures
        self.leak_threshold = leak_threshold
        self.measure_heap = measure_heap
        self.session = None
        self.features = None
        self.device_failures = 0  # consecutive
        self.abort_reason = None

    @property
    def slow(self):
        """How much longer than a real board's this board's waits must be (an emulator's)."""
        return getattr(self.target, "slowness", 1.0)

    @property
    def label(self):
        return self.target.label

    # -- connection --------------------------------------------------------
    def connect(self):
        """Open the board; TargetError (one clear line) if it cannot be used at all."""
        self.session = self.target.open()
        if self.features is None:
            if self.target.expected_build is not None:
                flashing.check_build(self.session, self.label, self.target.expected_build)
            features = probes.probe(self.session, timeout=10 * self.slow)
            self.features = probes.apply_lacks(features, getattr(self.target, "lacks", {}))
            self.session.soft_reset(timeout=5.0 * self.slow)

    def close(self):
        if self.session is not None:
            self.session.close()
            self.session = None
        self.target.close()

    def _recover(self, notes):
        """Bring the board back to a soft-reset raw REPL, however hard that is."""
        if self.session is not None and not self.target.ended():  # gone: nothing to soft reset
            try:
                self.session.soft_reset(timeout=3.0 * self.slow)
                notes.append("soft reset")
                return True
            except errors.FirmwareError:
                notes.append("soft reset failed")
        if self.session is not None:
            try:
                self.target.hard_reset(self.session)
                notes.append("hard reset")
            except errors.FirmwareError as e:
                notes.append(f"hard reset failed: {e}")
            self.session = None
        try:
            self.session = self.target.open()
            notes.append("reconnected")
            return True
        except errors.FirmwareError as e:
            notes.append(f"reconnect failed: {e}")
            self.session = None  # the next test tries again, or the run aborts
            return False

    def _device_failed(self, reason):
        self.device_failures += 1
        if self.device_failures >= self.max_device_failures:
            self.abort_reason = (
                f"{self.device_failures} consecutive device failures, last: {reason}"
            )

    # -- one test ----------------------------------------------------------
    def run(self, test):
        if self.abort_reason:
            return TestResult(
                test.name, self.label, ABORTED, message=f"not run: {self.abort_reason}"
            )
        started = time.monotonic()
        notes = []
        if self.session is None:
            if not self._recover(notes):
                self._device_failed(notes[-1])
                return TestResult(test.name, self.label, ERROR, message=notes[-1], recovery=notes)
        result = self._run_on_device(test, notes)
        result.duration = round(time.monotonic() - started, 4)
        if result.status == ABORTED:
            return result
        # Always leave the board freshly soft-reset for the next test.
        if not self._recover(notes):
            self._device_failed(notes[-1])
            if result.ok:
                result.status, result.message = ERROR, f"device lost after the test: {notes[-1]}"
        elif "hard reset" not in notes or result.ok:
            self.device_failures = 0
        result.recovery = [n for n in notes if n != "soft reset"]
        return result

    def _run_on_device(self, test, notes):
        result = TestResult(test.name, self.label, ERROR)
        lacking = probes.missing(test.requires, self.features or {})
        if lacking:
            result.status, result.message = SKIP, "board lacks " + ", ".join(lacking)
            return result
        platform = (self.features or {}).get("platform")
        if platform in test.skip_on:
            result.status, result.message = (
                SKIP,
                f"not run on {platform}: {test.skip_on[platform]}",
            )
            return result
        try:
            expected = test.expected_output()
        except (errors.UsageError, OSError) as e:
            result.message = str(e)
            return result
        timeout = (test.timeout or self.default_timeout) * self.slow
        session = self.session
        out = Capture(expected, hwtest=test.kind == "hwtest")
        feed, tap = out.feed, None
        if self.trace is not None:
            tap = self.trace.tap(self.label, test.name)

            def feed(data):
                out.feed(data)
                tap.feed(data)

        try:
            if self.measure_heap:
                result.heap_before, qstr_before = _heap(session, HEAP_FREE, self.slow)
            if test.kind == "hwtest":
                setup = session.exec(
                    INSTALL_HARNESS % HARNESS.read_bytes(), timeout=10 * self.slow
                )
                if setup.error or setup.timed_out:
                    result.message = (
                        "could not install hwtest: " + setup.error.decode(errors="replace")[-200:]
                    )
                    return result
            try:
                run = session.exec(
                    test.source(),
                    timeout=timeout,
                    on_output=feed,
                    keep=EXEC_KEEP,
                    on_idle=self._watch(session, out),
                    interrupt_grace=3.0 * self.slow,
                )
            finally:
                if tap is not None:
                    tap.close()
        except errors.BoardGone as e:
            result.message, result.output = str(e), out.tail_text()
            notes.append(f"board {e.how}")
            return result
        except errors.InterruptFailed as e:
            result.status, result.message, result.output = TIMEOUT, str(e), out.tail_text()
            notes.append("Ctrl-C ignored")
            return result
        except errors.DeviceUnresponsive as e:
            lost = isinstance(e, errors.LineLost)
            ended = self.target.ended(wait=ENDING_WAIT * self.slow if lost else 0)
            if ended:
                result.message = str(errors.BoardGone(*ended))
            else:
                result.message = (
                    f"board gone mid-test (died, reset or unplugged): {e}" if lost else str(e)
                )
            result.output = out.tail_text()
            notes.append("device stopped answering")
            return result
        error = board_text(run.error)
        result.output = out.tail_text()
        result.status, result.message, result.diff = judge(test, out, error, expected)
        if run.timed_out:
            result.status = TIMEOUT
            result.message = f"no result after {timeout:g}s (interrupted with Ctrl-C)"
            return result
        if self.measure_heap and result.status != SKIP and result.heap_before is not None:
            try:
                result.heap_after, qstr_after = _heap_after(session, self.slow)
                lost = result.heap_before - result.heap_after - (qstr_after - qstr_before)
                if lost > self.leak_threshold:
                    result.leak = self._loses_again(
                        test, session, result.heap_after, qstr_after, timeout
                    )
            except (errors.DeviceUnresponsive, ValueError):
                pass  # a test that reset the board has no "after"
        return result

    def _watch(self, session, out):
        """on_idle for a test's run: stop waiting once the board is seen to have died or reset."""

        def watch():
            ended = self.target.ended()
            if ended:
                _read_rest(session, out)
                raise errors.BoardGone(*ended)
            said = out.reboot()
            if said:
                raise errors.BoardGone("reset", said)

        return watch

    def _loses_again(self, test, session, heap, qstrs, timeout):
        """Run the test once more in the same session: heap kept only the first time
        (a module loaded on first use, a cache filled once) is not a leak; heap lost
        on every run is."""
        if test.kind == "hwtest":
            session.exec(INSTALL_HARNESS % HARNESS.read_bytes(), timeout=10 * self.slow)
        run = session.exec(
            test.source(), timeout=timeout, keep=EXEC_KEEP, interrupt_grace=3.0 * self.slow
        )
        if run.timed_out:
            return True
        heap_again, qstrs_again = _heap_after(session, self.slow)
        return heap - heap_again - (qstrs_again - qstrs) > self.leak_threshold


def _read_rest(session, out):
    """Its last output may have come after the read that found the line quiet."""
    try:
        while True:
            data = session.read_available()
            if not data:
                return
            out.feed(data.split(b"\x04")[0])  # up to the end of its output
            if b"\x04" in data:
                return
    except errors.DeviceUnresponsive:
        pass


def _heap_after(session, slow=1.0):
    """_heap once the test's globals and modules are dropped."""
    session.eval_output(DROP_TEST_STATE, timeout=5.0 * slow)
    return _heap(session, HEAP_NOW, slow)


def _heap(session, source, slow=1.0):
    """(free heap bytes, bytes of interned qstrs or 0 if unknown)."""
    text = session.eval_output(source, timeout=5.0 * slow)
    qstrs = QSTR_BYTES.search(text)
    return int(text.splitlines()[-1]), int(qstrs.group(1)) if qstrs else 0

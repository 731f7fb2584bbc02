"""Device tests on disk: which files, what kind, what output they must give.

Kinds (see tests_hw/README or the team brief):
  exp      - stdout must equal the `.exp` file beside the test
  cpython  - first line `# expect: cpython`: expected output is the file's
             output under the host's python3, which must print the same on
             two runs (made once per process, never cached on disk)
  hwtest   - `import hwtest` assertion file: any FAIL line fails it
  script   - none of the above: passes if it runs without an exception
Header lines (comments at the top): `# timeout: 30` (seconds),
`# requires: threads float network` (feature probes; missing => skipped),
`# skip-on: rp2: why` (a port the file is known not to work on; skipped there with why).
"""

import hashlib
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import errors

HEADER = re.compile(r"#\s*(expect|timeout|requires|skip-on)\s*:\s*(.*?)\s*$")
CPYTHON_TIMEOUT = 60


@dataclass
class DeviceTest:
    path: Path
    kind: str
    timeout: float | None = None
    requires: list = field(default_factory=list)
    skip_on: dict = field(default_factory=dict)  # sys.platform -> why the file is skipped there

    @property
    def name(self):
        return self.path.name

    def source(self):
        return self.path.read_bytes()

    def expected_output(self):
        """Expected stdout (str, '\\n' line ends) or None when the kind has none."""
        if self.kind == "exp":
            return _normalise(exp_path(self.path).read_bytes())
        if self.kind == "cpython":
            return cpython_output(self.path)
        return None


def exp_path(path):
    """`test_x.py.exp` (run-tests.py's name) or `test_x.exp`, else None."""
    for candidate in (path.with_name(path.name + ".exp"), path.with_suffix(".exp")):
        if candidate.exists():
            return candidate
    return None


def _normalise(data):
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


def load(path):
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    headers = {}
    for line in text.splitlines()[:10]:
        match = HEADER.match(line)
        if match:
            headers[match.group(1)] = match.group(2)
        elif line.strip() and not line.startswith("#"):
            break
    timeout = None
    if "timeout" in headers:
        try:
            timeout = float(headers["timeout"])
        except ValueError:
            raise errors.UsageError(
                f"{path.name}: bad '# timeout:' header {headers['timeout']!r}"
            ) from None
    requires = headers.get("requires", "").replace(",", " ").split()
    skip_on = {}
    if "skip-on" in headers:
        platform, _, why = headers["skip-on"].partition(":")
        if not platform.strip() or not why.strip():
            raise errors.UsageError(
                f"{path.name}: '# skip-on:' wants 'PLATFORM: why', not {headers['skip-on']!r}"
            )
        skip_on[platform.strip()] = why.strip()
    if headers.get("expect") == "cpython":
        kind = "cpython"
    elif exp_path(path):
        kind = "exp"
    elif re.search(r"^\s*import hwtest\b|^\s*from hwtest import", text, re.M):
        kind = "hwtest"
    else:
        kind = "script"
    return DeviceTest(path, kind, timeout, requires, skip_on)


def discover(paths):
    """DeviceTests for files and directories (test_*.py inside), sorted by name."""
    found = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found += sorted(p.glob("test_*.py"))
        elif p.is_file():
            found.append(p)
        else:
            raise errors.UsageError(f"{p}: no such test file or directory")
    return [load(p) for p in found]


# Expected outputs made by CPython, for this process only (never on disk: one
# unlucky run must not decide later runs). Keyed by path and content; the
# value is the output or the UsageError that refused the file.
_cpython_made = {}
_cpython_locks = {}
_cpython_guard = threading.Lock()


def cpython_output(path):
    """The file's stdout under this host's python3, made once per process.
    CPython runs the file twice: a file whose two outputs differ depends on
    timing or load, and is refused as non-deterministic (UsageError)."""
    path = Path(path)
    key = (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    with _cpython_guard:
        lock = _cpython_locks.setdefault(key, threading.Lock())
    with lock:  # boards run in threads: one of them makes it, the others wait
        if key not in _cpython_made:
            try:
                _cpython_made[key] = _make_cpython_output(path)
            except errors.UsageError as e:
                _cpython_made[key] = e
        made = _cpython_made[key]
    if isinstance(made, errors.UsageError):
        raise made
    return made


def _make_cpython_output(path):
    harness = Path(__file__).resolve().parents[1] / "harness"
    env = dict(os.environ, PYTHONPATH=str(harness), PYTHONHASHSEED="0")
    # Both runs at once: half the wait, and each loads the machine for the other.
    procs = [
        subprocess.Popen(
            [sys.executable, path.name],
            cwd=path.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = []
    try:
        for proc in procs:
            try:
                stdout, stderr = proc.communicate(timeout=CPYTHON_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise errors.UsageError(
                    f"{path.name}: CPython took over "
                    f"{CPYTHON_TIMEOUT}s to make the expected output"
                ) from None
            if proc.returncode != 0:
                last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
                raise errors.UsageError(
                    f"{path.name}: '# expect: cpython' but CPython fails: {last[0]}"
                )
            outputs.append(_normalise(stdout))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    first, second = outputs
    if first != second:
        a, b = first.splitlines(), second.splitlines()
        # (The outputs may differ in length: the first difference may be where one ends.)
        n = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        x = a[n] if n < len(a) else "<end of output>"
        y = b[n] if n < len(b) else "<end of output>"
        raise errors.UsageError(
            f"{path.name}: non-deterministic: CPython printed different output on two runs "
            f"(line {n + 1}: {x!r} vs {y!r}); print only what timing and load can't change"
        )
    return first

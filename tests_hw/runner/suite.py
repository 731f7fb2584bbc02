"""Device tests on disk: which files, what kind, what output they must give.

Kinds (see tests_hw/README or the team brief):
  exp      - stdout must equal the `.exp` file beside the test
  cpython  - first line `# expect: cpython`: expected output is the file's
             output under the host's python3 (cached by content hash)
  hwtest   - `import hwtest` assertion file: any FAIL line fails it
  script   - none of the above: passes if it runs without an exception
Header lines (comments at the top): `# timeout: 30` (seconds),
`# requires: threads float network` (feature probes; missing => skipped).
"""

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import errors

HEADER = re.compile(r"#\s*(expect|timeout|requires)\s*:\s*(.*?)\s*$")
CPYTHON_TIMEOUT = 60


@dataclass
class DeviceTest:
    path: Path
    kind: str
    timeout: float | None = None
    requires: list = field(default_factory=list)

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
            raise errors.UsageError(f"{path.name}: bad '# timeout:' header {headers['timeout']!r}") from None
    requires = headers.get("requires", "").replace(",", " ").split()
    if headers.get("expect") == "cpython":
        kind = "cpython"
    elif exp_path(path):
        kind = "exp"
    elif re.search(r"^\s*import hwtest\b|^\s*from hwtest import", text, re.M):
        kind = "hwtest"
    else:
        kind = "script"
    return DeviceTest(path, kind, timeout, requires)


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


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tests_hw-cpython-exp"


def cpython_output(path):
    """The file's stdout under this host's python3, cached by (content, python version)."""
    path = Path(path)
    key = hashlib.sha256(path.read_bytes() + sys.version.encode()).hexdigest()[:24]
    cached = _cache_dir() / f"{path.stem}-{key}.exp"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    harness = Path(__file__).resolve().parents[1] / "harness"
    env = dict(os.environ, PYTHONPATH=str(harness), PYTHONHASHSEED="0")
    try:
        proc = subprocess.run([sys.executable, path.name], cwd=path.parent, env=env,
                              capture_output=True, timeout=CPYTHON_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise errors.UsageError(f"{path.name}: CPython took over {CPYTHON_TIMEOUT}s to make the expected output") from None
    if proc.returncode != 0:
        last = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        raise errors.UsageError(f"{path.name}: '# expect: cpython' but CPython fails: {last[0]}")
    text = _normalise(proc.stdout)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp%d" % os.getpid())
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, cached)
    return text

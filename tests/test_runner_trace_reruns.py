"""--trace (the board's output shown while a test runs), --rerun-failed N, the known-flaky
list, and how flaky files are reported (progress, summary, JSON, JUnit from the CLI and
from the pytest plugin). Real runs on the UNIX image."""

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from tests_hw.runner.engine import Engine
from tests_hw.runner.reruns import Reruns
from tests_hw.runner.suite import discover
from tests_hw.runner.targets import PROJECT
from tests_hw.runner.trace import Trace

# Passes only when its marker file already exists: fails once, then passes.
FLAKY = """import os
try:
    os.stat({mark!r})
    print('second time lucky')
except OSError:
    open({mark!r}, 'w').close()
    print('first time unlucky')
"""
LUCKY = "second time lucky\n"


def cli(*args, cwd=PROJECT, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "tests_hw.runner", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class HostAnswers(io.StringIO):
    """A trace stream that acts on what it is shown: creates `mark` once `line` is traced."""

    def __init__(self, line, mark):
        super().__init__()
        self.line, self.mark = line, mark

    def write(self, text):
        if self.line in text:
            self.mark.touch()
        return super().write(text)


def test_trace_shows_output_while_the_test_still_runs(unix_board, device_suite, tmp_path):
    # The test waits for a file that the host makes only on seeing the test's first line
    # in the trace: it can pass only if that line is shown before the test ends.
    mark = tmp_path / "seen"
    device_suite(
        "test_live.py",
        f"""import os, time
print('waiting for the host')
for _ in range(3000):
    try:
        os.stat({str(mark)!r})
        print('host answered')
        break
    except OSError:
        time.sleep_ms(10)
else:
    print('the trace never showed my first line')
""",
        exp="waiting for the host\nhost answered\n",
    )
    stream = HostAnswers("UNIX test_live.py| waiting for the host", mark)
    [result] = Engine([unix_board()], discover([device_suite.dir]), trace=Trace(stream)).run()
    assert result.status == "pass", result.output
    assert stream.getvalue().splitlines() == [
        "UNIX test_live.py| waiting for the host",
        "UNIX test_live.py| host answered",
    ]


def test_trace_on_the_command_line_prefixes_board_and_test(unix_image, device_suite):
    device_suite("test_two_lines.py", "print('one')\nprint('two', end='')\n", exp="one\ntwo")
    run = cli(str(device_suite.dir), "--board", f"UNIX={unix_image}", "--trace")
    assert run.returncode == 0, run.stderr
    assert "UNIX test_two_lines.py| one\nUNIX test_two_lines.py| two\n" in run.stderr


def test_a_file_that_passes_on_a_rerun_is_flaky_not_a_pass(unix_board, device_suite, tmp_path):
    device_suite("test_flaky.py", FLAKY.format(mark=str(tmp_path / "ran")), exp=LUCKY)
    device_suite("test_always_bad.py", "print('no')\n", exp="yes\n")
    device_suite("test_fine.py", "print('fine')\n", exp="fine\n")
    results = {
        r.test: r
        for r in Engine(
            [unix_board()], discover([device_suite.dir]), reruns=Reruns(rerun_failed=2)
        ).run()
    }
    flaky = results["test_flaky.py"]
    assert (flaky.status, flaky.flaky, flaky.attempts) == ("pass", True, 2)
    assert flaky.first_failure == "fail: output differs from expected"
    bad = results["test_always_bad.py"]
    assert (bad.status, bad.flaky, bad.attempts) == ("fail", False, 3)
    fine = results["test_fine.py"]
    assert (fine.status, fine.flaky, fine.attempts) == ("pass", False, 1)


def test_without_reruns_a_flaky_file_fails(unix_board, device_suite, tmp_path):
    device_suite("test_flaky.py", FLAKY.format(mark=str(tmp_path / "ran")), exp=LUCKY)
    [result] = Engine([unix_board()], discover([device_suite.dir])).run()
    assert (result.status, result.attempts) == ("fail", 1)


def test_known_flaky_files_are_rerun_and_named_as_known(unix_image, device_suite, tmp_path):
    device_suite("test_flaky.py", FLAKY.format(mark=str(tmp_path / "ran")), exp=LUCKY)
    listed = tmp_path / "known-flaky.txt"
    listed.write_text("# ours\ntest_flaky.py: races the host's file system (issue 99)\n")
    report = tmp_path / "out.json"
    run = cli(
        str(device_suite.dir),
        "--board",
        f"UNIX={unix_image}",
        "--known-flaky",
        str(listed),
        "--json",
        str(report),
    )
    assert run.returncode == 0, run.stderr
    assert (
        "FLAKY   UNIX test_flaky.py: passed on run 2 (known flaky: races the host's file system "
        "(issue 99)); first run: fail: output differs from expected"
    ) in run.stderr
    assert run.stdout.startswith("flaky=1 leaks=0 pass=1 ")
    [test] = json.loads(report.read_text())["tests"]
    assert test["flaky"] and test["known_flaky"] == "races the host's file system (issue 99)"


def test_junit_marks_flaky_files(unix_image, device_suite, tmp_path):
    device_suite("test_flaky.py", FLAKY.format(mark=str(tmp_path / "ran")), exp=LUCKY)
    device_suite("test_bad.py", "print('no')\n", exp="yes\n")
    junit = tmp_path / "junit.xml"
    run = cli(
        str(device_suite.dir),
        "--board",
        f"UNIX={unix_image}",
        "--rerun-failed",
        "1",
        "--junit",
        str(junit),
    )
    assert run.returncode == 1
    assert "NEW flaky" in run.stderr
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    flaky = cases["test_flaky.py"]
    assert flaky.find("failure") is None
    assert flaky.find("flakyFailure").get("message") == "output differs from expected"
    props = {p.get("name"): p.get("value") for p in flaky.iter("property")}
    assert props["flaky"] == "fail: output differs from expected" and props["attempts"] == "2"
    assert cases["test_bad.py"].find("failure").get("message") == "output differs from expected"


def test_pytest_plugin_reports_flaky_in_junit(unix_image, device_suite, plugin_pytest, tmp_path):
    device_suite("test_flaky.py", FLAKY.format(mark=str(tmp_path / "ran")), exp=LUCKY)
    proc, junit = plugin_pytest("--board", f"UNIX={unix_image}", "--rerun-failed", "1")
    assert "1 passed" in proc.stdout, proc.stdout + proc.stderr
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert props["flaky"] == "fail: output differs from expected" and props["attempts"] == "2"


def test_a_bad_known_flaky_list_is_one_line(unix_image, device_suite, tmp_path):
    device_suite("test_fine.py", "print('fine')\n", exp="fine\n")
    listed = tmp_path / "known-flaky.txt"
    listed.write_text("test_fine.py\n")
    run = cli(str(device_suite.dir), "--board", f"UNIX={unix_image}", "--known-flaky", str(listed))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"error: {listed}:1: want 'test_file.py: why it is flaky', not 'test_fine.py'"
    )

"""The runner against the UNIX image on a pty: raw REPL, raw-paste and its
fallback, and each kind of device test judged as it should be."""

from tests_hw.runner import errors
from tests_hw.runner.suite import load
from tests_hw.runner.targets import _open_session


def test_raw_paste_and_plain_raw_repl_give_the_same_result(unix_board):
    big = (
        "x = [\n" + "".join(f"    {i},\n" for i in range(600)) + "]\nprint(sum(x))\n"
    )  # > many raw-paste windows
    for raw_paste in (True, False):
        target = unix_board(raw_paste=raw_paste)
        try:
            target.start()
            session = _open_session(target.pty)
            result = session.exec(big, timeout=10)
            assert result.output == b"179700\r\n" and result.error == b""
            assert (
                session.raw_paste is raw_paste
            )  # fallback taken only when the device lacks raw-paste
            failing = session.exec("1/0")
            assert b"ZeroDivisionError" in failing.error and failing.output == b""
            session.close()
        finally:
            target.close()


def test_each_test_kind_is_judged(unix_board, device_suite, run_suite):
    device_suite("test_exp_ok.py", "print('a')\nprint(1 + 1)\n", exp="a\n2\n")
    device_suite("test_exp_bad.py", "print('a')\nprint(3)\n", exp="a\n2\n")
    device_suite(
        "test_cpython.py", "# expect: cpython\nprint(sorted({3: 1, 1: 2}))\nprint('%.3f' % 0.5)\n"
    )
    device_suite("test_skip.py", "print('SKIP')\n")
    device_suite("test_requires.py", "# requires: no_such_feature\nprint('ran')\n")
    device_suite("test_requires_ok.py", "# requires: float heap>=4096\nprint('ran')\n")
    device_suite(
        "test_assert.py",
        "import hwtest\ndef test_good():\n    hwtest.eq(1, 1)\n"
        "def test_bad():\n    hwtest.eq(1, 2)\nhwtest.main()\n",
    )
    device_suite(
        "test_assert_ok.py",
        "import hwtest\nasync def test_async():\n    pass\n"
        "def test_plain():\n    hwtest.true(True)\nhwtest.main()\n",
    )
    device_suite("test_raises.py", "print('before')\nraise ValueError('boom')\n", exp="before\n")
    results = run_suite([unix_board()], device_suite.dir)
    status = {name: r.status for name, r in results.items()}
    assert status == {
        "test_exp_ok.py": "pass",
        "test_exp_bad.py": "fail",
        "test_cpython.py": "pass",
        "test_skip.py": "skip",
        "test_requires.py": "skip",
        "test_requires_ok.py": "pass",
        "test_assert.py": "fail",
        "test_assert_ok.py": "pass",
        "test_raises.py": "error",
    }
    assert "-2\n+3\n" in results["test_exp_bad.py"].diff
    assert "FAIL test_bad" in results["test_assert.py"].message
    assert "ValueError: boom" in results["test_raises.py"].message
    assert "no_such_feature" in results["test_requires.py"].message
    ok = results["test_exp_ok.py"]
    assert ok.heap_before > 0 and ok.heap_after > 0 and not ok.leak


def test_leak_is_flagged(unix_board, device_suite, run_suite):
    # Memory hung on a builtin module that survives the test's own cleanup.
    device_suite(
        "test_leaky.py", "import sys\nsys.path.append(bytearray(20000))\nprint('x')\n", exp="x\n"
    )
    device_suite("test_clean.py", "junk = bytearray(20000)\nprint('x')\n", exp="x\n")
    results = run_suite([unix_board()], device_suite.dir)
    assert results["test_leaky.py"].leak and results["test_leaky.py"].status == "pass"
    assert not results["test_clean.py"].leak


def test_headers_are_read(tmp_path):
    path = tmp_path / "test_h.py"
    path.write_text("# expect: cpython\n# timeout: 2.5\n# requires: threads, float\nprint(1)\n")
    test = load(path)
    assert (test.kind, test.timeout, test.requires) == ("cpython", 2.5, ["threads", "float"])
    path.write_text("# timeout: soon\n")
    try:
        load(path)
    except errors.UsageError as e:
        assert "timeout" in str(e)
    else:
        raise AssertionError("bad timeout header accepted")

"""The runner's bounded view of a test's output (tests_hw.runner.capture) and the
verdicts judged from it: a flood is judged right while only its edges are kept."""

from pathlib import Path

from tests_hw.runner.capture import TAIL_CHARS, Capture
from tests_hw.runner.results import judge
from tests_hw.runner.suite import DeviceTest

MIB = 1 << 20


def _fed(chunks, expected=None, hwtest=False):
    out = Capture(expected, hwtest=hwtest)
    for chunk in chunks:
        out.feed(chunk)
    return out


def _flood(total, line=b"x" * 99 + b"\r\n", chunk=4093):
    """About total bytes of board output, whole lines, in odd-sized chunks (lines split across
    them)."""
    total -= total % len(line)
    data = line * (64 * 1024 // len(line) + 1)
    sent = 0
    while sent < total:
        n = min(chunk, total - sent)
        start = sent % len(line)
        yield data[start : start + n]
        sent += n


def _held(out):
    return len(out.head) + len(out.tail) + len(out._window) + len(out._line)


def test_small_output_is_judged_as_a_whole():
    test = DeviceTest(Path("test_x.py"), "exp")
    same = _fed([b"a\r", b"\nb\r\n"], expected="a\nb\n")
    assert judge(test, same, "", "a\nb\n") == ("pass", "", "")
    differs = _fed([b"a\r\nc\r\n"], expected="a\nb\n")
    status, message, diff = judge(test, differs, "", "a\nb\n")
    assert (status, message) == ("fail", "output differs from expected") and "-b\n+c\n" in diff
    assert (
        judge(DeviceTest(Path("test_s.py"), "script"), _fed([b"SKIP\r\n"]), "", None)[0] == "skip"
    )


def test_a_flood_is_held_in_bounded_memory_and_fails_its_expected_output():
    test = DeviceTest(Path("test_x.py"), "exp")
    out = _fed(_flood(64 * MIB), expected="x\n")
    assert out.size > 64 * MIB - 101 and _held(out) < 200_000
    status, message, diff = judge(test, out, "", "x\n")
    assert status == "fail"
    assert message == (
        f"output differs from expected (it printed {out.size:,} bytes, far more than expected: "
        "the diff shows the start)"
    )
    assert "more bytes not kept ...]" in diff and len(diff) < 200_000
    tail = out.tail_text()
    assert len(tail) == TAIL_CHARS and tail.endswith("x\n") and "\r" not in tail


def test_expected_output_of_any_length_is_compared_whole():
    # Empty lines are the worst case: the board's "\r\n" doubles them.
    expected = "\n" * 300_000
    out = _fed(_flood(600_000, line=b"\r\n"), expected=expected)
    assert out.complete and judge(DeviceTest(Path("t.py"), "exp"), out, "", expected)[0] == "pass"
    longer = _fed(_flood(600_002, line=b"\r\n"), expected=expected)
    assert judge(DeviceTest(Path("t.py"), "exp"), longer, "", expected)[0] == "fail"


def test_hwtest_lines_are_found_anywhere_in_a_flood():
    test = DeviceTest(Path("test_h.py"), "hwtest")
    chunks = [
        *_flood(8 * MIB),
        b"\r\nFA",
        b"IL test_deep: 1 != 2\r",
        b"\n",
        *_flood(8 * MIB),
        b"\r\nhwtest: 40 passed, 1 failed",
    ]
    out = _fed(chunks, hwtest=True)
    assert _held(out) < 200_000
    assert judge(test, out, "", None) == ("fail", "FAIL test_deep: 1 != 2", "")
    passing = _fed([*_flood(8 * MIB), b"\r\nhwtest: 41 passed, 0 failed\r\n"], hwtest=True)
    assert judge(test, passing, "", None) == ("pass", "hwtest: 41 passed, 0 failed", "")


def test_a_board_back_at_its_prompt_is_a_reset():
    out = _fed(
        [
            b"before\r\n",
            b"MicroPython v1.25.0 on 2025-04-15; PYBv1.1 with STM32F405RG\r\n",
            b'Type "help()" for more information.\r\n',
            b">>> ",
        ]
    )
    assert out.reboot() == (
        "it printed its boot banner "
        "('MicroPython v1.25.0 on 2025-04-15; PYBv1.1 with STM32F405RG')"
    )
    relay = _fed(
        [
            b"before\r\nunixboard: micropython exited with status 3, restarting it\r\n"
            b"MicroPython (unix image behind unixboard) raw REPL: Ctrl-A\r\n>>> "
        ]
    )
    assert relay.reboot() == "micropython exited with status 3, restarting it"
    # The banner text alone, or output going on after it, is just output.
    assert _fed([b"MicroPython v1.25.0 on 2025-04-15; x\r\n"]).reboot() is None
    assert _fed([b"MicroPython v1\r\n>>> ", b"more"]).reboot() is None

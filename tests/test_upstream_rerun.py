"""upstream-tests: a test that fails among others is run once more on its own;
the verdict tells a flake from a failure, and the log shows what was printed."""

import textwrap

from firmware import boards, upstream_tests

# Stands in for MicroPython's run-tests.py: "asyncio_flaky" fails on its first
# run only, "asyncio_broken" always; failures leave .exp/.out in the -r folder.
FAKE_RUN_TESTS = textwrap.dedent(
    """
    import os, sys
    args = sys.argv[1:]
    result = args[args.index("-r") + 1]
    os.makedirs(result, exist_ok=True)
    seen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seen")
    first = not os.path.exists(seen)
    open(seen, "a").close()
    for t in [a for a in args if a.endswith(".py")]:
        bad = "broken" in t or ("flaky" in t and first)
        if bad:
            stem = os.path.join(result, t.replace("/", "_"))
            open(stem + ".exp", "w").write("42\\n")
            open(stem + ".out", "w").write("41\\nCRASH\\n")
        print(("FAIL " if bad else "pass ") + t)
    """
)


def _tree(tmp_path):
    tests = tmp_path / "tests"
    (tests / "extmod").mkdir(parents=True)
    for name in ("asyncio_fine", "asyncio_flaky", "asyncio_broken"):
        (tests / "extmod" / f"{name}.py").write_text("print(42)\n")
    (tests / "run-tests.py").write_text(FAKE_RUN_TESTS)
    image = tmp_path / "image"
    image.mkdir()
    (image / "micropython").write_text("")
    return tests, image


def test_flake_is_told_apart_from_a_failure(tmp_path):
    tests, image = _tree(tmp_path)
    log = []
    got = upstream_tests.run_set(
        boards.get("UNIX"), image, tests, tmp_path / "out", log=log.append
    )
    assert got == {
        "extmod/asyncio_fine.py": "pass",
        "extmod/asyncio_flaky.py": "flaky",
        "extmod/asyncio_broken.py": "fail",
    }
    text = "\n".join(log)
    # What the failed runs printed is in the log, as a diff against the expectation.
    assert "asyncio_flaky.py failed" in text and "-42" in text and "+41" in text
    summary = upstream_tests._summary(got)
    assert "1 passed, 1 failed" in summary and "1 passed only when run alone" in summary


# run-tests.py runs tests in parallel threads, and their "pass <test>" lines
# can run into each other; the verdicts must come from its _results.json.
INTERLEAVING_RUN_TESTS = textwrap.dedent(
    """
    import json, os, sys
    args = sys.argv[1:]
    result = args[args.index("-r") + 1]
    os.makedirs(result, exist_ok=True)
    tests = [a for a in args if a.endswith(".py")]
    print("pass  " + "pass  ".join(tests))  # every verdict on one garbled line
    failed = [t for t in tests if "broken" in t]
    skipped = [t for t in tests if "skipped" in t]
    passed = len(tests) - len(failed) - len(skipped)
    print("%d tests performed" % len(tests))
    print("%d tests passed" % passed)
    names = " ".join(t.split("/")[-1][:-3] for t in skipped)
    print("%d tests skipped: %s" % (len(skipped), names))
    if FORMAT == "1.25":
        data = {"args": {}, "failed_tests": failed}
    else:
        results = [
            [t, "fail" if t in failed else "skip" if t in skipped else "pass", ""] for t in tests
        ]
        data = {"args": {}, "results": results}
    json.dump(data, open(os.path.join(result, "_results.json"), "w"))
    """
)


def test_verdicts_come_from_the_results_file(tmp_path):
    for fmt in ("1.25", "1.28"):
        tests, image = _tree(tmp_path / fmt)
        (tests / "extmod" / "asyncio_skipped.py").write_text("print(42)\n")
        (tests / "run-tests.py").write_text(f"FORMAT = {fmt!r}\n" + INTERLEAVING_RUN_TESTS)
        got = upstream_tests.run_set(
            boards.get("UNIX"), image, tests, tmp_path / fmt / "out", log=lambda *a: None
        )
        assert got == {
            "extmod/asyncio_fine.py": "pass",
            "extmod/asyncio_flaky.py": "pass",
            "extmod/asyncio_broken.py": "fail",
            "extmod/asyncio_skipped.py": "skip",
        }, fmt

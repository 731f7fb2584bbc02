"""`# expect: cpython` files: CPython makes the expected output twice, a file
whose two outputs differ is refused as non-deterministic, and nothing is
kept on disk between runs (one unlucky run must not fail every later one)."""

import pytest

from tests_hw.runner import errors, suite

STABLE = "# expect: cpython\nprint('same', sum(range(10)))\n"
# Differs between any two runs: os.urandom seeds `random` in each process.
RANDOM = "# expect: cpython\nimport random\nprint(random.random())\n"


@pytest.fixture
def no_home_cache(tmp_path, monkeypatch):
    # Point every cache location at an empty folder, to see nothing lands there.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


def test_stable_output_is_the_expected_output(device_suite, no_home_cache):
    path = device_suite("test_stable.py", STABLE)
    assert suite.load(path).expected_output() == "same 45\n"
    assert list(no_home_cache.rglob("*")) == [], "nothing written under HOME"


def test_output_is_made_once_per_process(device_suite, monkeypatch):
    path = device_suite("test_once.py", STABLE)
    assert suite.cpython_output(path) == "same 45\n"
    made = []
    monkeypatch.setattr(suite, "_make_cpython_output", lambda p: made.append(p) or "other\n")
    assert suite.cpython_output(path) == "same 45\n", "memoised for the process"
    assert made == []
    path.write_text(STABLE + "print('changed')\n")
    assert suite.cpython_output(path) == "other\n", "a changed file is made afresh"


def test_random_output_is_reported_non_deterministic(device_suite, no_home_cache):
    path = device_suite("test_dice.py", RANDOM)
    with pytest.raises(errors.UsageError) as caught:
        suite.load(path).expected_output()
    message = str(caught.value)
    assert message.startswith("test_dice.py: non-deterministic"), message
    assert "line 1" in message
    # and the verdict holds for the rest of the process without rerunning
    with pytest.raises(errors.UsageError, match="non-deterministic"):
        suite.cpython_output(path)
    assert list(no_home_cache.rglob("*")) == []


def test_failing_file_names_the_error(device_suite):
    path = device_suite("test_broken.py", "# expect: cpython\nraise KeyError('nope')\n")
    with pytest.raises(
        errors.UsageError, match=r"test_broken.py: '# expect: cpython' but CPython fails: KeyError"
    ):
        suite.cpython_output(path)


def test_runner_reports_the_file_as_an_error(device_suite, run_suite, unix_board):
    device_suite("test_dice.py", RANDOM)
    device_suite("test_stable.py", STABLE)
    results = run_suite([unix_board()], device_suite.dir)
    dice = results["test_dice.py"]
    assert dice.status == "error", dice
    assert "non-deterministic" in dice.message
    assert results["test_stable.py"].ok

"""The benchmark scripts run on the UNIX image and print well-formed results
(tiny iteration counts: structure and sanity only, never speed)."""

import math

import pytest

from firmware import bench

UNIX_IMAGE = bench.ROOT / "firmware" / "images" / "UNIX" / "micropython"
pytestmark = pytest.mark.skipif(
    not UNIX_IMAGE.is_file(), reason="UNIX image not built (make firmware BOARD=UNIX)"
)


def run(script, *args):
    return bench.parse(bench.run_unix(UNIX_IMAGE, script, args, timeout=120).stdout)


def test_core_benchmarks_report_rate_and_allocation():
    results = run("bench_core.py", 0.002)
    expected = {
        "gen_resume_10",
        "switch_10",
        "switch_1000",
        "event_pingpong",
        "lock_10",
        "wait_for_no_timeout",
        "wait_for_timeout",
        "cancel_storm_1000",
        "timer_push_1000",
    }
    assert expected <= set(results)
    for name in expected:
        rate, unit, n = results[name]
        assert unit == "ops/s" and n >= 1 and rate > 0 and math.isfinite(rate), (
            name,
            results[name],
        )
        alloc, unit, n_alloc = results[name + ".alloc"]
        assert unit == "B/op" and alloc >= 0 and 1 <= n_alloc <= n, (
            name,
            results[name + ".alloc"],
        )
    # A switch and an Event hand-off are allocation-free on our image (issue 3/5 contract).
    assert results["switch_10.alloc"][0] == 0
    assert results["event_pingpong.alloc"][0] == 0


def test_only_selects_benchmarks():
    results = run("bench_core.py", 0.002, "switch_10")
    assert set(results) == {"switch_10", "switch_10.alloc"}


def test_ram_figures_are_positive_and_plausible():
    results = run("bench_ram.py", 0.05)
    for name in (
        "ram_import",
        "ram_import_and_use",
        "ram_task_created",
        "ram_task_sleeping",
        "ram_task_event_wait",
    ):
        value, unit, _ = results[name]
        assert unit.startswith("B") and 0 < value < 100_000, (name, value)
    assert results["ram_import_and_use"][0] >= results["ram_import"][0]


def test_tcp_loopback_or_skip():
    results = run("bench_tcp.py", 0.002)
    if "tcp" in results:
        assert results["tcp"][0] is None  # printed "skip"
        return
    assert results["tcp_bulk"][1] == "KiB/s" and results["tcp_bulk"][0] > 0
    assert results["tcp_rr"][0] > 0 and results["tcp_rr.alloc"][0] >= 0


def test_parse_ignores_noise_and_keeps_skips():
    out = "hello\nBENCH a 12 ops/s n=3\nBENCH b skip -\nBENCH c.alloc 0.5 B/op n=2\n"
    assert bench.parse(out) == {
        "a": (12.0, "ops/s", 3),
        "b": (None, "-", None),
        "c.alloc": (0.5, "B/op", 2),
    }


def test_script_constants_are_settable_for_serial_runs():
    source = (bench.BENCH_DIR / "bench_core.py").read_text()
    changed = bench._with_constants(source, SCALE=0.01, MANY=200)
    assert "SCALE = 0.01" in changed and "MANY = 200" in changed
    with pytest.raises(bench.BenchError):
        bench._with_constants(source, NO_SUCH_CONSTANT=1)


def test_pin_event_latency_reports_idle_and_busy():
    results = run("pin_event_latency.py", 5)
    for name in ("idle_median", "idle_max", "busy_median", "busy_max"):
        value, unit, _ = results["pin_event_" + name]
        assert unit == "us" and value >= 0, (name, value)


def test_primitives_ram_bench_measures_ours():
    import subprocess
    import sys

    script = bench.ROOT / "tests_hw" / "bench" / "bench_ram_primitives.py"
    out = subprocess.run(
        [sys.executable, str(script), str(UNIX_IMAGE)],
        cwd=bench.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    rows = [ln.split("|") for ln in lines if ln.startswith(("| Pushbutton", "| Encoder"))]
    assert len(rows) == 2
    for row in rows:
        each = int(row[2].split()[0])
        assert 0 < each < 2000, row  # no task per input: well under a task's frames
    bad = subprocess.run(
        [sys.executable, str(script), str(UNIX_IMAGE), str(bench.ROOT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # a folder without their package: one clear line
    assert bad.returncode != 0 and "primitives" in bad.stderr
    assert bad.stderr.strip().count("\n") == 0

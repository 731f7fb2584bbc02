"""The real-workload harness (issue 22) on the UNIX image at tiny N: every workload
and floor completes and reports its numbers (their values are not checked)."""

import math
import shutil

import pytest

from firmware import bench_report, bench_workloads

UNIX_IMAGE = bench_workloads.ROOT / "firmware" / "images" / "UNIX" / "micropython"
pytestmark = pytest.mark.skipif(
    not UNIX_IMAGE.is_file(), reason="UNIX image not built (make firmware BOARD=UNIX)"
)
N = 3


def _lib(workload):
    if workload.name != "microdot":
        return None
    try:
        return bench_workloads.fetch_microdot(log=lambda *a: None)
    except bench_workloads.WorkloadError as e:
        pytest.skip(f"microdot not available: {e}")


@pytest.mark.parametrize("workload", bench_workloads.WORKLOADS, ids=lambda w: w.name)
def test_workload_and_floors_complete(workload):
    lib = _lib(workload)
    for mode in (workload.server_mode, *workload.floors):
        _, ops, allocated = bench_workloads.serve(
            UNIX_IMAGE, mode, N, workload.client, alloc=True, lib=lib, timeout=60
        )
        assert ops == N and allocated > 0, (mode, ops, allocated)
        row = bench_workloads.per_op(UNIX_IMAGE, mode, N, workload.client, lib, callgrind=False)
        assert row["ir"] is None and math.isfinite(row["alloc"]), (mode, row)


@pytest.mark.skipif(not shutil.which("valgrind"), reason="valgrind not installed")
def test_instructions_per_op_under_callgrind():
    # Each run under callgrind counts its instructions; the per-op figure is the
    # difference of two runs, a number whose sign at tiny N is noise (the server's
    # waits for the client vary: -5,120 once on a loaded machine), so only the runs'
    # own counts are checked here.
    w = bench_workloads.WORKLOADS[0]
    ir, ops, _ = bench_workloads.serve(UNIX_IMAGE, w.name, N, w.client, callgrind=True)
    assert ops == N and ir > 100_000, (ops, ir)
    row = bench_workloads.per_op(UNIX_IMAGE, w.name, N, w.client)
    assert math.isfinite(row["ir"]) and math.isfinite(row["alloc"]), row


def test_a_failing_client_stops_the_server():
    def client(port, n):
        raise RuntimeError("client gave up")

    with pytest.raises(bench_workloads.WorkloadError, match="client gave up"):
        bench_workloads.serve(UNIX_IMAGE, "echo", N, client, timeout=60)


def test_section_is_written_in_place(tmp_path, monkeypatch):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# B\n\n## Targets\n\nt\n\n## unix: 5 rounds\n\nu\n")
    monkeypatch.setattr(bench_report, "REPORT", report)
    row = {"ir": 100.0, "alloc": 16.0}
    wl = {
        "seconds": 5,
        "rows": [
            {
                "name": "echo",
                "label": "echo",
                "n": N,
                "ours": row,
                "pyonly": row,
                "stock": row,
                "floors": {"echo_blocking": row},
            }
        ],
        "flash": {"board": "QEMU_MPS2_AN385", "ours": 1, "stock": 2, "built_from": "abc"},
    }
    bench_report.write_workloads(wl)
    bench_report.write_workloads(wl)  # again: replaced, not added
    text = report.read_text()
    assert text.count("## Real workloads") == 1
    assert text.index("## Targets") < text.index("## Real workloads") < text.index("## unix:")
    assert "| echo >= 1.5x stock (instructions) | **no** | 1.00x |" in text

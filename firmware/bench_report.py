"""BENCHMARKS.md and benchmarks.png from one `make bench` run's results."""

import platform
import subprocess

from . import bench_chart
from .paths import ROOT

REPORT = ROOT / "BENCHMARKS.md"
CHART = ROOT / "benchmarks.png"
HIGHER_IS_BETTER = ("ops/s", "KiB/s")


def _better(row):
    """How many times better ours is than stock (for the chart), or None."""
    ours, stock = row["ours"], row["stock"]
    if ours is None or stock is None:
        return None
    if row["unit"] in HIGHER_IS_BETTER:
        return ours / stock if stock else None
    if ours == 0:
        return None if stock == 0 else 1000.0  # allocation-free: off the scale
    return stock / ours


def _by_name(rows):
    return {r["name"]: r for r in rows or ()}


def targets(unix, flash, callgrind=None):
    """[(target, met: bool|None, detail)] for issue 5's targets, from the unix table
    (callgrind's instruction counts, when given, are shown beside the noisier clock)."""
    rows = _by_name(unix)
    out = []

    def ratio(name):
        r = rows.get(name)
        return r and r["ratio"]

    for name in ("switch_10", "switch_1000"):
        x = ratio(name)
        out.append((f"task switch ({name}) >= 2x", x is not None and x >= 2, f"{x:.2f}x" if x else "n/a"))
    for name in ("event_pingpong", "lock_10"):
        x = ratio(name)
        alloc = rows.get(name + ".alloc", {}).get("ours")
        ok = x is not None and x >= 10 and alloc == 0
        out.append((f"{name} >= 10x, 0 B/op", ok, f"{x:.1f}x, {alloc} B/op" if x else "n/a"))
    for name in ("wait_for_no_timeout", "wait_for_timeout"):
        x = ratio(name)
        a = rows.get(name + ".alloc", {})
        ok = x is not None and x >= 2 and a.get("ours") is not None and a["ours"] < a["stock"]
        out.append((f"{name} >= 2x, less allocation", ok,
                    f"{x:.2f}x, {a.get('ours')} vs {a.get('stock')} B/op" if x else "n/a"))
    for name in ("ram_task_created", "ram_task_sleeping", "ram_task_event_wait", "ram_import", "ram_import_and_use"):
        r = rows.get(name)
        if r:
            out.append((f"{name} <= stock", r["ours"] <= r["stock"], f"{r['ours']:.0f} vs {r['stock']:.0f} {r['unit']}"))
    sw, floor = rows.get("switch_10"), rows.get("gen_resume_10")
    if sw and floor and sw["ours"]:
        cost = floor["ours"] / sw["ours"]
        detail = f"{cost:.2f}x the resume's time"
        cg_sw, cg_floor = (callgrind or {}).get("switch_10"), (callgrind or {}).get("gen_resume_10")
        if cg_sw and cg_floor and cg_floor["ours"]:
            detail += f" ({cg_sw['ours'] / cg_floor['ours']:.2f}x its instructions under callgrind)"
        out.append(("switch <= 2x a bare generator resume", cost <= 2, detail))
    for board, table in flash or ():
        got = {label.split(" (built")[0]: f for label, f, _ in table or () if f is not None}
        if "core (C module)" in got and "upstream stock" in got:
            core, stock = got["core (C module)"], got["upstream stock"]
            out.append((f"flash of the core <= stock ({board})", core <= stock, f"{core} vs {stock} B"))
    return out


def _num(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def _table(rows, with_spread=True):
    head = "| benchmark | unit | ours | stock | ours/stock |" + (" spread ours / stock |" if with_spread else "")
    lines = [head, "|" + "---|" * (5 + with_spread)]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        line = f"| {r['name']} | {r['unit']} | {_num(r['ours'])} | {_num(r['stock'])} | {ratio} |"
        if with_spread:
            line += f" {r['ours_spread'] * 100:.0f}% / {r['stock_spread'] * 100:.0f}% |"
        lines.append(line)
    return "\n".join(lines)


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cores} cores (nproc), CPU {cpu}, {platform.system()} {platform.release()}"


def _bytes(v):
    return "" if v is None else f"{v:,}"


def _flash_parts(parts):
    # The core's flash split into parts, ours beside stock: what the miss is made of.
    if not parts:
        return []
    board = parts["board"]
    md = [
        f"### Where the core's flash goes ({board}; `python3 -m firmware size --board {board} --parts`)",
        "",
        "Frozen bytes per module are the symbols named after it (bytecode, constants, child",
        "tables); string contents and the qstr pool are not named per module and form their",
        "own row. `rest` is what the link adds beyond these objects (module registration,",
        "qstrs of the C module's names).",
        "",
        "| ours: core + C module | bytes | upstream stock | bytes |",
        "|---|---|---|---|",
    ]
    ours, stock = parts["ours"]["rows"], parts["stock"]["rows"]
    for i in range(max(len(ours), len(stock))):
        a = ours[i] if i < len(ours) else ("", None)
        b = stock[i] if i < len(stock) else ("", None)
        md.append(f"| {a[0]} | {_bytes(a[1])} | {b[0]} | {_bytes(b[1])} |")
    md.append(f"| **total** | **{_bytes(parts['ours']['total'])}** | **total** | **{_bytes(parts['stock']['total'])}** |")
    md.append("")
    return md


def write(results):
    unix, flash = results["unix"], results["flash"]
    t = targets(unix, flash, results.get("callgrind"))
    md = [
        "# Benchmarks: our asyncio vs upstream's stock asyncio",
        "",
        "Same MicroPython (1.25.0), same port configuration and heap size; the only difference is the",
        "asyncio package (ours: `frozen/asyncio` + `c_modules/_asyncio`; stock: upstream's `asyncio` +",
        "its `_asyncio`). Regenerate everything on this page with `make bench` (about "
        f"{results['seconds'] // 60 + 1} minutes here);",
        "the numbers are from one such run. Benchmark scripts: `tests_hw/bench/` (public API only).",
        "",
        f"Machine: {machine()}. Raw results: `build/bench/results.json`.",
        "",
        "![ours vs stock](benchmarks.png)",
        "",
        "## Targets (issue 5, unix, same run)",
        "",
        "| target | met | measured |",
        "|---|---|---|",
    ]
    md += [f"| {name} | {'yes' if ok else '**no**'} | {detail} |" for name, ok, detail in t]
    md += [
        "",
        f"## unix: {results['rounds']} interleaved rounds (ours, stock, ours, ...), medians",
        "",
        "`ops/s`: higher is better; `B/op`, `B/task`, `B`: lower is better. `.alloc` rows are bytes",
        "allocated per operation (gc.mem_alloc growth with the GC off). `@256K`/`@2M` rows: the",
        "same benchmark with `-X heapsize=`: MicroPython's allocator scans from the heap's first",
        "free block for multi-block allocations, so code that allocates per operation gets",
        "slower as the heap grows. Spread = (max - min) / median over the rounds. The unix port",
        "polls objects that are not file descriptors in 1 ms sleeps, so while a task waits on a",
        "ThreadSafeFlag stock's loop sleeps 1 ms per step there (the tsf_ and _flag_waiter rows);",
        "ours checks flags itself between steps and lets the poller watch them only while the",
        "loop has nothing to run. The callgrind and QEMU rows show the CPU work alone.",
        "The bench machine is shared with builds running in parallel, so wall-clock spreads are",
        "wide; the callgrind and QEMU tables below are the noise-free ratios. `@8M` rows: the",
        "TCP benchmarks on an 8 MiB heap, where garbage piles up between collections.",
        "",
        _table(unix),
        "",
        "## Pure-Python core against stock (unix, 3 interleaved rounds, medians)",
        "",
        "Our package without its C module (`make firmware BOARD=UNIX ASYNCIO_C=0`: what runs",
        "when the package is installed on firmware that lacks our `_asyncio`), stock as above.",
        "",
        _table(results["pyonly"]) if results.get("pyonly") else "(not measured in this run)",
        "",
        "## Instructions per operation (callgrind, unix images)",
        "",
        "Two runs per benchmark and image under `valgrind --tool=callgrind`, with N and 2N",
        "operations; instructions/op = difference / N, so start-up and set-up cancel out.",
        "",
    ]
    cg = results.get("callgrind")
    if cg:
        md += ["| benchmark | ours instr/op | stock instr/op | stock/ours |", "|---|---|---|---|"]
        for name, v in cg.items():
            ratio = f"{v['stock'] / v['ours']:.2f}" if v["ours"] and v["stock"] else "-"
            md.append(f"| {name} | {_num(v['ours'])} | {_num(v['stock'])} | {ratio} |")
    else:
        md.append("(skipped in this run)")
    md += [
        "",
        "## QEMU MPS2-AN385 (Cortex-M3), `-icount shift=0`",
        "",
        "Virtual time = executed guest instructions (1 ns each), so these rates are",
        "deterministic: ops per virtual second = 10^9 / guest instructions per op.",
        "",
        _table(results["qemu"]) if results.get("qemu") else "(skipped in this run)",
        "",
        "## Flash and static RAM of asyncio per board (`python3 -m firmware size --board X`)",
        "",
        "Cost over the same board built with no asyncio at all (frozen bytecode + C module + qstrs).",
        "Read from the images `make size` last built (each row names the commit it was built from);",
        "`python3 -m firmware bench --size` rebuilds them first.",
        "",
    ]
    for board, table in flash:
        md.append(f"### {board}")
        md.append("")
        if table is None:
            md.append(f"not measured yet: run `python3 -m firmware size --board {board}` (or `make bench` after it)")
        else:
            md += ["| option | flash (text+data) | static RAM |", "|---|---|---|"]
            md += [f"| {label} | {_num(f)} B | {_num(r)} B |" if f is not None else f"| {label} | not built | |"
                   for label, f, r in table]
        md.append("")
    md += _flash_parts(results.get("flash_parts"))
    md += [
        "### PYBV11 and RPI_PICO",
        "",
        "Built by hand here from MicroPython 1.25.0 with the boards' submodules supplied",
        "(README: Building PYBV11 and RPI_PICO); `make size BOARD=PYBV11 MPY_DIR=<tree>`",
        "reproduces them (ours: at commit 6e5e1fc; stock: by hand, as no stock",
        "board exists for them). Cost = text+data over the same board built without asyncio.",
        "",
        "| board | upstream stock | ours, core + C | ours, cpython + C | ours, all + C | ours, all, pure Python |",
        "|---|---|---|---|---|---|",
        "| PYBV11 | 8,560 B | 17,128 B | 36,140 B | 42,192 B | 43,368 B |",
        "| RPI_PICO | 8,820 B | 17,628 B | 36,684 B | 42,864 B | 43,684 B |",
        "",
        "## Fast-I/O mode: timer latency under load (issue 6)",
        "",
        "`firmware/images/UNIX/micropython tests_hw/bench/fast_io_latency.py`: an ioctl-polled",
        "timer device becomes ready every 20 ms while 10 tasks each block for 2 ms between",
        "yields. With `asyncio.fast_io(True)` a task woken by I/O goes to the front of the",
        "ready queue instead of the back. Measured here (unix, our C image): mean/median/max",
        "latency 36.1/40/45 ms without fast I/O, 2.3/3/4 ms with it.",
        "",
    ]
    REPORT.write_text("\n".join(md))
    chart_rows = [(r["name"], _better(r)) for r in unix if "@" not in r["name"]]
    CHART.write_bytes(bench_chart.render(chart_rows, "ours vs stock: x times better (unix)"))
    return "\n".join(md)

"""`make bench`: our asyncio against upstream's stock asyncio on the same MicroPython,
side by side in one run.

* unix: the device-side scripts in tests_hw/bench/ run on the UNIX and UNIX_STOCK
  images interleaved (ours, stock, ours, stock, ...) for several rounds; medians,
  spread (max-min over median) and ours/stock per benchmark; the heap-size sensitive
  ones again at 256 KiB and 2 MiB.
* callgrind: instructions per operation on both unix images, from two runs of each
  benchmark with N and 2N operations (start-up and set-up cancel out).
* QEMU: both AN385 images under `-icount shift=0`, so ticks follow virtual time (one
  instruction = 1 ns) and the rates are deterministic.
* flash/RAM of asyncio per board from firmware/size.py.
* real workloads (firmware/bench_workloads.py): stream servers and a UART-like
  stream, instructions and allocation per operation, against the no-asyncio floors.
Writes BENCHMARKS.md, benchmarks.png and build/bench/results.json.
"""

import dataclasses
import json
import re
import statistics
import subprocess
import tempfile
import time

from . import boards
from .errors import FirmwareError, ImageMissing
from .paths import BUILD_DIR, ROOT

BENCH_DIR = ROOT / "tests_hw" / "bench"
SCRIPTS = ("bench_core.py", "bench_ram.py", "bench_tcp.py")
LINE = re.compile(r"^BENCH (\S+) (\S+) (\S+)(?: n=(\d+))?\s*$")
HEAP_SENSITIVE = ("event_pingpong", "lock_10", "wait_for_no_timeout", "wait_for_timeout")
HEAP_SIZES = ("256K", "2M")
# Stream round trips on a big heap: garbage piles up between collections,
# and an allocator that must scan past holes gets slower with it.
TCP_HEAP = "8M"
# The pure-Python core (our package without its C module, as on stock
# firmware) against stock, on the scheduler and stream paths.
PYONLY_BENCHES = (
    "switch_10",
    "create_gather",
    "create_await",
    "event_pingpong",
    "lock_10",
    "wait_for_no_timeout",
    "wait_for_timeout",
    "cancel_storm_1000",
)
CALLGRIND_BENCHES = (
    "gen_resume_10",
    "switch_10",
    "switch_1000",
    "create_gather",
    "event_pingpong",
    "lock_10",
    "wait_for_no_timeout",
    "wait_for_timeout",
    "timer_push_1000",
    "cancel_storm_1000",
    "switch_10_flag_waiter",
    "tsf_pingpong",
)
# These work in batches of 1000 tasks: N and 2N must be whole batches.
# The flag benchmarks have a small base N (stock sleeps 1 ms per op on unix).
CALLGRIND_MIN_SCALE = {
    "timer_push_1000": 0.05,
    "cancel_storm_1000": 0.1,
    "switch_10_flag_waiter": 0.5,
    "tsf_pingpong": 0.5,
}
PAIRS = {"unix": ("UNIX", "UNIX_STOCK"), "qemu": ("QEMU_MPS2_AN385", "QEMU_MPS2_AN385_STOCK")}


class BenchError(FirmwareError):
    pass


def parse(output):
    """{name: (value, unit, n)} from a script's output; value is a float, or None when skipped."""
    results = {}
    for line in output.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        name, value, unit, n = m.groups()
        try:
            number = float(value)
        except ValueError:
            number = None  # "skip", "oom"
        results[name] = (number, unit, int(n) if n else None)
    return results


# -- unix -------------------------------------------------------------------------


def _image(board_name):
    from .build import image_dir

    path = image_dir(boards.get(board_name)) / boards.get(board_name).images[0]
    if not path.is_file():
        raise ImageMissing(f"{path} does not exist", hint=f"make firmware BOARD={board_name}")
    return path


def run_unix(image, script, args=(), heap=None, timeout=300, wrapper=()):
    cmd = (
        [*wrapper, str(image)]
        + (["-X", f"heapsize={heap}"] if heap else [])
        + [script, *map(str, args)]
    )
    proc = subprocess.run(cmd, cwd=BENCH_DIR, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(
            f"{image.parent.name}: {script} failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
        )
    return proc


def _add(samples, units, label, output, suffix=""):
    """Append one script run's values to samples[label], names + suffix."""
    for name, (value, unit, _) in parse(output).items():
        samples[label].setdefault(name + suffix, []).append(value)
        units[name + suffix] = unit


def unix_rounds(rounds, scale, log):
    """{image: {name: [values per round]}}, the two images interleaved per script."""
    ours, stock = (_image(b) for b in PAIRS["unix"])
    samples = {"ours": {}, "stock": {}}
    units = {}
    for r in range(rounds):
        log(f"unix round {r + 1}/{rounds}")
        for script in SCRIPTS:
            for label, image in (("ours", ours), ("stock", stock)):
                _add(samples, units, label, run_unix(image, script, [scale]).stdout)
        for heap in HEAP_SIZES:
            for label, image in (("ours", ours), ("stock", stock)):
                out = run_unix(
                    image, "bench_core.py", [scale * 0.3, ",".join(HEAP_SENSITIVE)], heap=heap
                ).stdout
                _add(samples, units, label, out, "@" + heap)
        for label, image in (("ours", ours), ("stock", stock)):
            _add(
                samples,
                units,
                label,
                run_unix(image, "bench_tcp.py", [scale], heap=TCP_HEAP).stdout,
                "@" + TCP_HEAP,
            )
    return samples, units


def pyonly_rounds(rounds, scale, log):
    """Like unix_rounds(), with our pure-Python image as "ours", on fewer benchmarks."""
    from .build import image_dir

    board = boards.get(PAIRS["unix"][0])
    ours = image_dir(board, asyncio_c=False) / board.images[0]
    if not ours.is_file():
        raise ImageMissing(
            f"{ours} does not exist", hint=f"make firmware BOARD={board.name} ASYNCIO_C=0"
        )
    stock = _image(PAIRS["unix"][1])
    samples = {"ours": {}, "stock": {}}
    units = {}
    for r in range(rounds):
        log(f"pure-Python core round {r + 1}/{rounds}")
        for label, image in (("ours", ours), ("stock", stock)):
            _add(
                samples,
                units,
                label,
                run_unix(image, "bench_core.py", [scale, ",".join(PYONLY_BENCHES)]).stdout,
            )
            _add(
                samples,
                units,
                label,
                run_unix(image, "bench_tcp.py", [scale], heap=TCP_HEAP).stdout,
                "@" + TCP_HEAP,
            )
    return samples, units


def summarise(samples, units):
    rows = []
    for name in samples["ours"]:
        ours = [v for v in samples["ours"][name] if v is not None]
        stock = [v for v in samples["stock"].get(name, []) if v is not None]
        row = {"name": name, "unit": units[name]}
        for label, values in (("ours", ours), ("stock", stock)):
            med = statistics.median(values) if values else None
            row[label] = med
            row[label + "_spread"] = (max(values) - min(values)) / med if values and med else 0.0
        row["ratio"] = (
            row["ours"] / row["stock"] if row["ours"] is not None and row["stock"] else None
        )
        rows.append(row)
    return rows


# -- callgrind --------------------------------------------------------------------


def _instructions(image, args):
    with tempfile.TemporaryDirectory() as tmp:
        proc = run_unix(
            image,
            "bench_core.py",
            args,
            timeout=600,
            wrapper=["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out"],
        )
    m = re.search(r"Collected : (\d+)", proc.stderr)
    if not m:
        raise BenchError(f"callgrind gave no instruction count for {image.parent.name}")
    return int(m.group(1)), parse(proc.stdout)


def callgrind(scale, log):
    """{bench: {"ours": Ir/op, "stock": Ir/op}} from runs with N and 2N operations."""
    from .bench_workloads import ensure_valgrind

    ensure_valgrind(log)
    result = {}
    for bench in CALLGRIND_BENCHES:
        per_op = {}
        s = max(scale, CALLGRIND_MIN_SCALE.get(bench, 0))
        for label, board in zip(("ours", "stock"), PAIRS["unix"], strict=True):
            image = _image(board)
            ir1, out1 = _instructions(image, [s, bench])
            ir2, out2 = _instructions(image, [s * 2, bench])
            n1, n2 = out1[bench][2], out2[bench][2]
            per_op[label] = (ir2 - ir1) / (n2 - n1) if n2 and n1 and n2 > n1 else None
        log(
            f"callgrind {bench}: ours {per_op['ours']:.0f} instr/op, "
            f"stock {per_op['stock']:.0f} instr/op"
        )
        result[bench] = per_op
    return result


# -- QEMU ---------------------------------------------------------------------------


def _with_constants(source, **values):
    for name, value in values.items():
        source, count = re.subn(
            rf"^{name} = .*$", f"{name} = {value!r}", source, count=1, flags=re.M
        )
        if not count:
            raise BenchError(f"bench script has no '{name} = ...' line to set")
    return source


def qemu_runs(rounds, scale, log):
    from .serial_repl import Session

    from .emulator import start_qemu

    samples = {"ours": {}, "stock": {}}
    units = {}
    for r in range(rounds):
        for label, board_name in zip(("ours", "stock"), PAIRS["qemu"], strict=True):
            board = boards.get(board_name)
            # Instruction counting: virtual time = executed instructions, 1 ns each.
            counted = dataclasses.replace(
                board, qemu={**board.qemu, "args": [*board.qemu["args"], "-icount", "shift=0"]}
            )
            log(f"qemu round {r + 1}/{rounds}: {board_name}")
            emu = start_qemu(counted, _image(board_name))
            try:
                time.sleep(0.5)
                session = Session(emu.port)
                try:
                    for script in ("bench_core.py", "bench_ram.py"):
                        source = (BENCH_DIR / script).read_text()
                        source = _with_constants(source, SCALE=scale)
                        if script == "bench_core.py":
                            # a 140 KiB heap: fewer tasks, and stock's allocation must
                            # fit with the GC off
                            source = _with_constants(source, ALLOC_OPS=20, MANY=200)
                        session.enter_raw_repl(soft_reset=True)
                        result = session.exec(source, timeout=600)
                        if result.timed_out or result.error:
                            raise BenchError(
                                f"{board_name}: {script}: "
                                f"{result.error.decode(errors='replace')[-300:]}"
                            )
                        for name, (value, unit, _) in parse(
                            result.output.decode(errors="replace")
                        ).items():
                            samples[label].setdefault(name, []).append(value)
                            units[name] = unit
                finally:
                    session.close()
            finally:
                emu.stop()
    return samples, units


# -- flash --------------------------------------------------------------------------


def flash_tables(measure_now, log):
    """[(board, [(option, flash, ram)])] from firmware/size.py; with measure_now it
    builds what is missing, otherwise it reads the images a `make size` left."""
    from . import size
    from .build import image_dir

    tables = []
    for board_name in PAIRS["qemu"][0], PAIRS["unix"][0]:
        if measure_now:
            _, rows = size.measure(board_name, log)
            tables.append((board_name, [(label, flash, ram) for label, _, flash, ram in rows]))
            continue
        board = boards.get(board_name)
        bare = image_dir(board, bare=True)
        if not (bare / "manifest.json").is_file():
            tables.append((board_name, None))
            continue
        base = size._sizes(bare)
        variants = [("upstream stock", image_dir(boards.stock_baseline(board)))]
        variants += [(label, image_dir(board, **kw)) for label, kw in size.OPTIONS]
        rows = []
        for label, folder in variants:
            if not (folder / "manifest.json").is_file():
                rows.append((label, None, None))
                continue
            s = size._sizes(folder)
            built_from = json.loads((folder / "manifest.json").read_text()).get("git_commit", "?")
            rows.append(
                (
                    f"{label} (built from {built_from})",
                    s["text"] + s["data"] - base["text"] - base["data"],
                    s["data"] + s["bss"] - base["data"] - base["bss"],
                )
            )
        tables.append((board_name, rows))
    return tables


def flash_parts(log):
    """Where the QEMU core's flash goes, ours and stock (firmware/size_parts.py),
    or None when the builds it reads are missing."""
    from . import size_parts
    from .errors import FirmwareError

    board = PAIRS["qemu"][0]
    try:
        parts = size_parts.measure(board)
    except FirmwareError as e:
        log(f"flash parts skipped: {e}")
        return None
    return {
        "board": board,
        **{k: {"rows": rows, "total": total} for k, (rows, total) in parts.items()},
    }


# -- entry point ----------------------------------------------------------------------


def main(
    rounds=5,
    scale=0.5,
    qemu_scale=0.05,
    cg_scale=0.02,
    build_images=True,
    measure_size=False,
    skip=(),
    log=print,
    only_workloads=False,
):
    from . import bench_report
    from .build import build

    started = time.monotonic()
    if build_images:
        for board_name in (*PAIRS["unix"], *PAIRS["qemu"]):
            board = boards.get(board_name)
            from .build import image_dir

            if board.stock and (image_dir(board) / "manifest.json").is_file():
                continue  # stock does not change with our tree
            log(f"building {board_name} ...")
            build(board_name, log=lambda *a: None)
        log(f"building {PAIRS['unix'][0]} pure Python ...")
        build(PAIRS["unix"][0], asyncio_c=False, log=lambda *a: None)
    if only_workloads:
        return workloads_main(log)
    results = {
        "rounds": rounds,
        "scale": scale,
        "qemu_scale": qemu_scale,
        "callgrind_scale": cg_scale,
    }
    results["unix"] = summarise(*unix_rounds(rounds, scale, log))
    results["pyonly"] = summarise(*pyonly_rounds(3, scale, log))
    results["callgrind"] = None if "callgrind" in skip else callgrind(cg_scale, log)
    results["qemu"] = None if "qemu" in skip else summarise(*qemu_runs(2, qemu_scale, log))
    results["flash"] = flash_tables(measure_size, log)
    results["flash_parts"] = flash_parts(log)
    results["workloads"] = None if "workloads" in skip else run_workloads(log)
    results["seconds"] = round(time.monotonic() - started)
    out = BUILD_DIR / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    text = bench_report.write(results)
    print(text)
    return results


def run_workloads(log):
    from . import bench_workloads

    workloads = bench_workloads.run(log=log)
    workloads["flash"] = bench_workloads.core_flash(log)
    return workloads


def workloads_main(log=print):
    """`bench --workloads`: only the real-workloads section, spliced into BENCHMARKS.md."""
    from . import bench_report

    workloads = run_workloads(log)
    out = BUILD_DIR / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "workloads.json").write_text(json.dumps(workloads, indent=1))
    print(bench_report.write_workloads(workloads))
    return workloads

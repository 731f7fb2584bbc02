# RAM per Pushbutton and per Encoder, ours against another `primitives`
# package (micropython-async v3's) on the same image. A device-side program
# (run by micropython) and its host-side driver (run by CPython):
#
#   python3 tests_hw/bench/bench_ram_primitives.py IMAGE [THEIR_V3_DIR]
#
# IMAGE: a unix micropython binary of ours (frozen asyncio and primitives).
# THEIR_V3_DIR: a folder holding their primitives/ (and threadsafe/), e.g.
# a checkout's v3/ outside this repository; without it only ours is measured.
# Per instance: heap growth after gc.collect() for N more objects (each on its
# own pin doubles, callbacks set, the loop run a while so their tasks exist),
# divided by N; the first object (module loading, shared service) is counted
# apart, as "first".
import sys

if sys.implementation.name == "micropython":
    import asyncio
    import gc
    from hwtest import PinDouble

    N = 20
    try:
        from machine import Pin  # noqa: F401
    except ImportError:  # unix: drivers that import machine.Pin get the double's class

        class _Machine:
            Pin = PinDouble

        sys.modules["machine"] = _Machine()

    def used():
        gc.collect()
        return gc.mem_alloc()

    def pushbutton():
        from primitives import Pushbutton

        pb = Pushbutton(PinDouble(1))
        pb.press_func(print, ("press",))
        pb.long_func(print, ("long",))
        pb.double_func(print, ("double",))
        return pb

    def encoder():
        from primitives import Encoder

        return Encoder(PinDouble(0), PinDouble(0), callback=lambda v, d: None)

    async def measure(make):
        keep = []
        m0 = used()
        keep.append(make())
        await asyncio.sleep_ms(120)
        m1 = used()
        for _ in range(N):
            keep.append(make())
        await asyncio.sleep_ms(120)  # polling tasks have started
        m2 = used()
        return m1 - m0, (m2 - m1) // N

    name = sys.argv[1]  # one class per process: nothing of the other's left in the heap
    first, each = asyncio.run(measure(pushbutton if name == "Pushbutton" else encoder))
    print("RAM", name, first, each)
else:
    import os
    import subprocess
    from pathlib import Path

    here = Path(__file__).resolve()
    harness = here.parents[1] / "harness"

    def run(image, path):
        env = dict(os.environ, MICROPYPATH=":".join(path + [".frozen", str(harness)]))
        found = {}
        for name in ("Pushbutton", "Encoder"):
            cmd = [image, str(here), name]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            if out.returncode:
                sys.exit(f"error: {image} failed: {out.stderr.strip().splitlines()[-1:]}")
            w = next(ln.split() for ln in out.stdout.splitlines() if ln.startswith("RAM "))
            found[name] = (int(w[2]), int(w[3]))
        return found

    if len(sys.argv) < 2:
        sys.exit("usage: bench_ram_primitives.py IMAGE [THEIR_V3_DIR]")
    image = sys.argv[1]
    ours = run(image, [])
    theirs = None
    if len(sys.argv) > 2:
        if not (Path(sys.argv[2]) / "primitives" / "__init__.py").is_file():
            sys.exit(f"error: {sys.argv[2]} has no primitives/__init__.py")
        theirs = run(image, [sys.argv[2]])
    print(
        "| class | ours, per instance | ours, first (with module) |"
        + (" micropython-async, per instance | micropython-async, first |" if theirs else "")
    )
    print("|---|---|---|" + ("---|---|" if theirs else ""))
    for name, (first, each) in ours.items():
        row = f"| {name} | {each} B | {first} B |"
        if theirs:
            row += f" {theirs[name][1]} B | {theirs[name][0]} B |"
        print(row)

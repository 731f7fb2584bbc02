"""`make test-farm`: the device suite on two QEMU boards served by a labgrid farm on this
machine (coordinator, exporter with ser2net, a power switch per board), both places at once
through `--board labgrid:<place>`; then everything is stopped and checked gone.

    python -m tests_hw.farm [RUNNER OPTIONS ...]   (e.g. --mode each, -k test_event, --trace)
"""

import subprocess
import sys

from firmware.errors import FirmwareError

from .local import LocalFarm

PLACES = ("qemu-a", "qemu-b")


def main(argv=None):
    extra = list(sys.argv[1:] if argv is None else argv)
    farm = LocalFarm(PLACES)
    try:
        farm.start()
    except FirmwareError as e:
        print(f"error: farm: {e}", file=sys.stderr)
        return 2
    try:
        print(
            f"farm: labgrid-coordinator on {farm.coordinator}; exporter 'farm' serves "
            + ", ".join(
                f"{name} ({board.path} through ser2net, power switch)"
                for name, board in farm.boards.items()
            ),
            flush=True,
        )
        argv = [sys.executable, "-m", "tests_hw.runner", "--coordinator", farm.coordinator]
        for name in PLACES:
            argv += ["--board", f"labgrid:{name}"]
        code = subprocess.run(argv + extra).returncode
        held = {name: farm.acquired_by(name) for name in PLACES}
    finally:
        farm.stop()
    left = farm.leftovers()
    still = [name for name, who in held.items() if who]
    print(
        f"farm: stopped; places still acquired after the run: {', '.join(still) or 'none'}; "
        f"processes left running: {', '.join(map(str, left)) or 'none'}"
    )
    return code if not (left or still) else max(code, 1)


if __name__ == "__main__":
    sys.exit(main())

"""python3 -m firmware COMMAND: the host tooling's one entry point (the Makefile calls it)."""

import argparse
import json
import shutil
import sys

from . import boards
from .errors import FirmwareError
from .paths import BUILD_DIR, IMAGES_DIR


def cmd_boards(args):
    from .build import built_flavours

    rows = []
    for board in boards.all_boards().values():
        flavours = built_flavours(board)
        built = "built: " + ", ".join(flavours) if flavours else "-"
        where = {
            "native": "runs here",
            "qemu": "runs here (QEMU)",
            "rp2040js": "runs here (rp2040js)",
            "espressif-qemu": "Espressif's QEMU",
        }.get(board.runs_here, "needs hardware")
        rows.append((board, where, built))
    width = max(len(built) for _, _, built in rows)
    for board, where, built in rows:
        print(f"{board.name:24} {board.port:6} {where:20} {built:{width}} {board.description}")


def cmd_setup(args):
    from . import toolchain

    chosen = [boards.get(name) for name in args.board] if args.board else []
    ports = {board.port for board in chosen} if chosen else {"unix", "qemu"}
    # A board the runner boots in Debian's QEMU (PYBV11_QEMU: an stm32 board) needs it too.
    emulators = sorted({board.qemu["system"] for board in chosen if board.runs_here == "qemu"})
    steps = []
    python = toolchain.setup(
        sorted(ports), log=lambda line: (steps.append(line), print(line)), packages=emulators
    )
    if steps:  # every make target runs set-up first: say nothing when nothing was missing
        print(f"set-up complete; Python tools in {python.parent}")


def cmd_source(args):
    from . import source

    print(source.resolve().describe())


def cmd_build(args):
    from .build import build

    build(
        args.board, asyncio_c=not args.no_c, extras=args.extras, primitives=not args.no_primitives
    )


def cmd_run(args):
    from .demo import run_demo

    run_demo(
        args.board, asyncio_c=not args.no_c, extras=args.extras, primitives=not args.no_primitives
    )


def cmd_size(args):
    if args.parts:
        from .size_parts import report
    else:
        from .size import report

    report(args.board)


def cmd_info(args):
    from .build import image_dir

    path = (
        image_dir(
            boards.get(args.board), not args.no_c, args.extras, primitives=not args.no_primitives
        )
        / "manifest.json"
    )
    if not path.is_file():
        raise FirmwareError(
            f"no image built for {args.board}", hint=f"make firmware BOARD={args.board}"
        )
    print(json.dumps(json.loads(path.read_text()), indent=2))


def cmd_upstream_tests(args):
    from .upstream_tests import main as run

    sys.exit(run(args.board, asyncio_c=not args.no_c, tests_from=args.tests_from))


def cmd_bench(args):
    from .bench import main as bench

    bench(
        rounds=args.rounds,
        scale=args.scale,
        build_images=not args.no_build,
        measure_size=args.size,
        skip=args.skip or (),
        only_workloads=args.workloads,
    )


def cmd_check(args):
    from .imagecheck import run

    sys.exit(run(args.images_root, args.board))


def cmd_deploy(args):
    from .deploy import deploy

    deploy(
        args.board,
        port=args.port,
        dry_run=args.dry_run,
        images_dir=IMAGES_DIR,
        flavour="pyonly" if args.no_c else None,
    )


def cmd_clean(args):
    for path in (BUILD_DIR, IMAGES_DIR):
        if args.keep_source and path == BUILD_DIR:
            for child in BUILD_DIR.glob("*"):
                if not child.name.startswith(("micropython-", "debian-source")):
                    shutil.rmtree(child, ignore_errors=True)
            continue
        shutil.rmtree(path, ignore_errors=True)
    print("cleaned" + (" (fetched MicroPython source kept)" if args.keep_source else ""))


def parser():
    from .imagecheck import add_arguments as add_check_arguments

    p = argparse.ArgumentParser(prog="python3 -m firmware", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("boards", help="list the boards").set_defaults(func=cmd_boards)
    s = sub.add_parser("setup", help="install toolchains and Python tools")
    s.add_argument("--board", action="append", help="only what these boards need (repeatable)")
    s.set_defaults(func=cmd_setup)
    sub.add_parser(
        "source", help="fetch (if needed) and show the pinned MicroPython source"
    ).set_defaults(func=cmd_source)
    for name, func, text in (
        ("build", cmd_build, "build a board's image"),
        ("run", cmd_run, "boot the image and run the asyncio demo on it"),
        ("size", cmd_size, "flash/RAM cost of asyncio per board and option"),
        ("info", cmd_info, "print a built image's manifest.json"),
    ):
        c = sub.add_parser(name, help=text)
        c.add_argument("--board", default=boards.DEFAULT_BOARD)
        c.add_argument(
            "--no-c", action="store_true", help="pure-Python asyncio, no _asyncio C module"
        )
        c.add_argument(
            "--extras", default="all", help="core | cpython | all: what beyond the core to freeze"
        )
        c.add_argument(
            "--no-primitives",
            action="store_true",
            help="leave out the primitives/threadsafe packages (ASYNCIO_PRIMITIVES=0)",
        )
        c.set_defaults(func=func)
        if name == "size":
            c.add_argument(
                "--parts",
                action="store_true",
                help="split the core's flash, ours and stock, into modules and objects "
                "(reads the last builds)",
            )
    u = sub.add_parser(
        "upstream-tests", help="MicroPython's own asyncio tests against an image (and stock)"
    )
    u.add_argument("--board", default=boards.DEFAULT_BOARD)
    u.add_argument("--no-c", action="store_true", help="the pure-Python image")
    u.add_argument(
        "--tests-from", help="a MicroPython tree whose tests/ to run (default: the one built from)"
    )
    u.set_defaults(func=cmd_upstream_tests)
    k = sub.add_parser("check", help="validate every built image's format")
    add_check_arguments(k.add_argument)
    k.set_defaults(func=cmd_check)
    b = sub.add_parser("bench", help="our asyncio vs stock, side by side; writes BENCHMARKS.md")
    b.add_argument("--rounds", type=int, default=5, help="interleaved unix rounds")
    b.add_argument(
        "--scale",
        type=float,
        default=0.5,
        help="iteration counts relative to the scripts' defaults",
    )
    b.add_argument("--no-build", action="store_true", help="use the images already built")
    b.add_argument("--size", action="store_true", help="build what the flash table needs (slow)")
    b.add_argument(
        "--skip",
        action="append",
        choices=("callgrind", "qemu", "workloads"),
        help="leave a part out",
    )
    b.add_argument(
        "--workloads",
        action="store_true",
        help="only the real workloads (streams, UART-like, floors); "
        "updates that section of BENCHMARKS.md",
    )
    b.set_defaults(func=cmd_bench)
    d = sub.add_parser("deploy", help="flash a board")
    d.add_argument("--board", default=boards.DEFAULT_BOARD)
    d.add_argument("--port")
    d.add_argument("--dry-run", action="store_true")
    d.add_argument("--no-c", action="store_true", help="flash the pure-Python image (ASYNCIO_C=0)")
    d.set_defaults(func=cmd_deploy)
    c = sub.add_parser("clean", help="remove builds and images")
    c.add_argument("--keep-source", action="store_true")
    c.set_defaults(func=cmd_clean)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except FirmwareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()

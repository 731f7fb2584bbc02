"""Build one board's image with our asyncio, from the pinned MicroPython source.

Upstream's port Makefiles do the building; everything of ours reaches them from the
outside: an assembled board folder (BOARD_DIR / VARIANT_DIR), our top-level manifest
(FROZEN_MANIFEST), our C module (USER_C_MODULES) and make variables. A finished image
folder appears in one rename, so a failed build never leaves one that looks complete.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

from . import boards, picotool, source, toolchain
from .errors import BuildFailed, MissingSubmodules, ToolchainMissing
from .image_manifest import write_manifest
from .paths import BUILD_DIR, C_MODULES_DIR, IMAGES_DIR, TOP_MANIFEST

# Where a port leaves an image file, relative to its build folder, when not at the top.
IMAGE_LOCATIONS = {
    "bootloader.bin": "bootloader/bootloader.bin",
    "partition-table.bin": "partition_table/partition-table.bin",
}
EXTRAS_CHOICES = ("core", "cpython", "all")
# Read after each port's Makefile: our command-line variables reach no sub-make (see it).
PORT_MAKE_MK = Path(__file__).resolve().parent / "port_make.mk"
# How a calling make (our Makefile) hands its own command line down; the tool's make steps
# take only what the tool gives them.
CALLER_MAKE_VARS = ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL")


def image_name(board, asyncio_c=True, extras="all", bare=False, primitives=True):
    """The folder name under firmware/images/ for this build configuration."""
    if bare:
        return f"{board.name}-noasyncio"
    if board.stock:
        return board.name
    return (
        board.name
        + ("" if asyncio_c else "-pyonly")
        + ("" if extras == "all" else f"-{extras}")
        + ("" if primitives or extras != "all" else "-noprim")
    )


def image_dir(board, asyncio_c=True, extras="all", bare=False, primitives=True):
    return IMAGES_DIR / image_name(board, asyncio_c, extras, bare, primitives)


def built_flavours(board, images_dir=IMAGES_DIR):
    """The board's finished images: "default" for <BOARD>/, else the folder's suffix
    (<BOARD>-pyonly -> "pyonly", core, noasyncio, ...); default first."""
    found = []
    for folder in sorted(Path(images_dir).glob(board.name + "*")):
        if not (folder / "manifest.json").is_file():
            continue  # a build in progress or a failed one
        if folder.name == board.name:
            found.insert(0, "default")
        elif folder.name.startswith(board.name + "-"):  # not QEMU_X_STOCK for QEMU_X
            found.append(folder.name[len(board.name) + 1 :])
    return found


def _assemble_board_dir(board, src, dest):
    """Parent boards' files, then upstream's verbatim files, then this board's own."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    chain = boards.lineage(board)
    for ancestor in chain:
        upstream = src.path / "ports" / ancestor.port / "boards" / ancestor.upstream_board
        for name in ancestor.upstream_files:
            shutil.copy2(upstream / name, dest / name)
        for item in ancestor.folder.iterdir():
            if item.is_file() and item.name != "board.json":
                shutil.copy2(item, dest / item.name)
    return dest


def _check_idf(board, src):
    if board.needs != "ESP-IDF":
        return
    if os.environ.get("IDF_PATH") and shutil.which("idf.py"):
        return
    series = ".".join(src.version.split(".")[:2])
    versions = (board.idf_versions or {}).get(series) or sorted(
        {v for vs in (board.idf_versions or {}).values() for v in vs}
    )
    raise ToolchainMissing(
        f"{board.name} needs ESP-IDF (none found: IDF_PATH unset or idf.py not on PATH); "
        f"MicroPython {src.version} supports ESP-IDF {', '.join(versions)}",
        hint=(
            f"git clone -b {(board.idf_pin or {}).get(series, versions[-1])} --recursive "
            "https://github.com/espressif/esp-idf.git && "
            "./esp-idf/install.sh esp32 && . ./esp-idf/export.sh  "
            "(see MicroPython's ports/esp32/README.md)"
        ),
    )


def _check_submodules(board, src, log):
    # A Debian tree gets what Debian packages of them (pico-sdk, tinyusb, mbedtls).
    missing = source.fill_from_debian(src, board.submodules, log)
    if missing and src.fetched_by_git:
        # Our own clone of the pinned tag: fetch what this board needs, as upstream's
        # `make submodules` does (micropython-lib too, where the port asks for it).
        log(f"fetching submodules {board.name} needs: {', '.join(missing)}")
        port_dir = src.path / "ports" / board.port
        done = subprocess.run(
            ["make", "-C", str(port_dir), f"BOARD={board.upstream_board}", "submodules"],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise MissingSubmodules(f"fetching {board.name}'s submodules failed:\n{tail}")
        missing = source.missing_submodules(src, board.submodules)
    if missing:
        raise MissingSubmodules(
            f"{board.name} needs MicroPython submodules "
            f"that {src.path} lacks: {', '.join(missing)}",
            hint=(
                "in a git checkout of MicroPython, with network "
                f"access: make -C <checkout>/ports/{board.port} "
                f"BOARD={board.upstream_board} submodules, then build with MPY_DIR=<checkout>"
                + ("" if src.fetched_by_git else f" ({src.origin} is not a git checkout)")
            ),
        )
    disables = []
    for rel, make_vars in board.optional_submodules.items():
        # One filled from Debian for another board counts as absent: an image must not
        # depend on which board was built first.
        if source.missing_submodules(src, [rel]) or (src.path / rel / source.LIB_STAMP).is_file():
            disables += make_vars.split()
    return disables


def _micropython_lib(src, log):
    """MPY_LIB_DIR and whether require() can use it; a stand-in when it is absent."""
    real = src.path / "lib" / "micropython-lib"
    if (real / "README.md").is_file():
        return real, True
    stand_in = BUILD_DIR / "micropython-lib-absent"
    stand_in.mkdir(parents=True, exist_ok=True)
    (stand_in / "README.md").write_text("micropython-lib is not in this MicroPython tree.\n")
    log(f"note: {real} is absent; boards freeze no micropython-lib packages")
    return stand_in, False


def _git_commit():
    root = TOP_MANIFEST.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty.strip() else "")


def _write_buildinfo(folder, board, src, build_id):
    """A frozen module `_buildinfo` so a running board can say which build it is."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_buildinfo.py").write_text(
        f"board = {board.name!r}\nmicropython = {src.version!r}\nbuild_id = {build_id!r}\n"
    )


def _mpy_cross_command(src):
    return ["make", "-C", str(src.path / "mpy-cross"), f"-j{os.cpu_count() or 1}"]


def _port_command(board, src, board_dir, obj_dir, asyncio_c, mpy_lib, bare):
    port_dir = src.path / "ports" / board.port
    cmd = [
        "make",
        "-C",
        str(port_dir),
        "-f",
        "Makefile",
        "-f",
        str(PORT_MAKE_MK),
        f"-j{os.cpu_count() or 1}",
        f"BUILD={obj_dir}",
        f"MPY_LIB_DIR={mpy_lib}",
    ]
    if board.port == "unix":
        cmd += [
            f"VARIANT={board.upstream_board}",
            f"VARIANT_DIR={board_dir}",
            f"MICROPY_MANIFEST_BOARD_DIR={board_dir}",
        ]
    else:
        cmd += [f"BOARD={board.upstream_board}", f"BOARD_DIR={board_dir}"]
    # One manifest for all (see manifest.py): ASYNCIO_PACKAGE picks the package.
    cmd += [f"FROZEN_MANIFEST={TOP_MANIFEST}"]
    if board.stock and not bare:
        cmd += ["ASYNCIO_STOCK=1"]  # upstream's own _asyncio C module
    elif not bare:
        if asyncio_c:
            cmake_port = board.port in ("rp2", "esp32")
            modules = C_MODULES_DIR / "micropython.cmake" if cmake_port else C_MODULES_DIR
            cmd += [f"USER_C_MODULES={modules}"]
    return cmd


def _start_afresh_on_change(obj_dir, inputs, log):
    """A build folder holds what it was made from: generated headers (qstrs, module
    lists) of one MicroPython tree, and for rp2 cmake's configuration, which its
    Makefile runs only once per folder. Another MPY_DIR (or CMAKE_ARGS) would build
    against stale ones and fail, or silently keep the old: start that folder over."""
    stamp = obj_dir / ".configured-with"
    if obj_dir.exists() and not (stamp.is_file() and stamp.read_text() == inputs):
        log(f"build inputs changed: starting {obj_dir} afresh")
        shutil.rmtree(obj_dir)
    obj_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(inputs)


def _toolchain_for(board):
    if board.port in ("qemu", "stm32", "rp2"):
        toolchain.require_tool("arm-none-eabi-gcc", "gcc-arm-none-eabi", board.port)
    if board.port == "rp2":
        toolchain.require_tool("cmake", "cmake", board.port)
    toolchain.require_tool("make", "make", board.port)


def _run_logged(cmd, log_file, env, what):
    env = {k: v for k, v in env.items() if k not in CALLER_MAKE_VARS}
    with open(log_file, "a") as out:
        out.write("$ " + " ".join(map(str, cmd)) + "\n")
        out.flush()
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    if done.returncode:
        tail = "\n".join(Path(log_file).read_text().splitlines()[-25:])
        raise BuildFailed(f"{what} failed (full log: {log_file}):\n{tail}")


def build(board_name, asyncio_c=True, extras="all", bare=False, log=print, primitives=True):
    """Build `board_name`; return the finished image folder.

    bare=True builds the board with no asyncio at all (for measuring asyncio's cost);
    primitives=False leaves out the primitives/threadsafe packages (only frozen with
    extras="all").
    """
    if extras not in EXTRAS_CHOICES:
        raise BuildFailed(f"ASYNCIO_EXTRAS={extras!r} is not one of {', '.join(EXTRAS_CHOICES)}")
    board = boards.get(board_name)
    src = source.resolve(log=log)
    log(f"building {board.name} with {src.describe()}")
    _check_idf(board, src)
    disables = _check_submodules(board, src, log)
    _toolchain_for(board)

    if bare and board.stock:
        raise BuildFailed(
            f"{board.name} is a stock baseline; build the bare "
            f"image of {board.inherit or 'its base'} instead"
        )
    name = image_name(board, asyncio_c, extras, bare, primitives)
    work = BUILD_DIR / name
    work.mkdir(parents=True, exist_ok=True)
    log_file = work / "build.log"
    log_file.write_text("")
    board_dir = _assemble_board_dir(board, src, work / "board" / board.upstream_board)
    obj_dir = work / "obj"
    mpy_lib, have_lib = _micropython_lib(src, log)
    commit = _git_commit()
    build_id = f"{commit}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    _write_buildinfo(work / "buildinfo", board, src, build_id)

    env = {
        **os.environ,
        "ASYNCIO_EXTRAS": extras,
        "ASYNCIO_C": "1" if asyncio_c else "0",
        "ASYNCIO_MPY_LIB": "1" if have_lib else "0",
        "ASYNCIO_BUILDINFO": str(work / "buildinfo"),
        "ASYNCIO_PRIMITIVES": "1" if primitives else "0",
        # bare: no asyncio at all, the baseline asyncio's flash cost is measured from
        "ASYNCIO_PACKAGE": "none" if bare else "stock" if board.stock else "ours",
        # MicroPython names its version after `git describe` of the tree; a tree that
        # is no checkout (Debian's, unpacked under build/) would find this repository
        # instead and call itself "MicroPython <our commit>-dirty".
        "GIT_CEILING_DIRECTORIES": str(src.path.resolve().parent),
    }
    if board.port == "rp2":
        # rp2's Makefile hands only CMAKE_ARGS to cmake, so make's MPY_LIB_DIR never
        # reaches the manifest; append to the caller's CMAKE_ARGS (e.g. -Dpicotool_DIR).
        cmake_args = f"{os.environ.get('CMAKE_ARGS', '')} -DMICROPY_LIB_DIR={mpy_lib}".strip()
        if "picotool_DIR" not in cmake_args:
            # pico-sdk 2.x needs a built picotool: ours, built once from Debian's source.
            cmake_args += f" -Dpicotool_DIR={picotool.ensure(src.path / 'lib' / 'pico-sdk', log)}"
        env["CMAKE_ARGS"] = cmake_args
    if disables:
        log("leaving out what missing submodules provide: " + " ".join(disables))
    _run_logged(_mpy_cross_command(src), log_file, env, "mpy-cross")
    cmd = _port_command(board, src, board_dir, obj_dir, asyncio_c, mpy_lib, bare) + disables
    _start_afresh_on_change(
        obj_dir, "\n".join([str(src.path), env.get("CMAKE_ARGS", ""), *map(str, cmd)]), log
    )
    try:
        _run_logged(cmd, log_file, env, f"make for {board.name}")
    except BuildFailed:
        # pico-sdk 2.x falls back to cloning picotool from GitHub when it finds none.
        if board.port == "rp2" and "picotool-populate" in log_file.read_text():
            raise ToolchainMissing(
                f"{board.name}: pico-sdk 2.x needs a built picotool "
                "and found none (its download fallback failed)",
                hint=(
                    "build picotool at pico-sdk's version with cmake "
                    "-DPICOTOOL_NO_LIBUSB=1 -DPICOTOOL_FLAT_INSTALL=1, "
                    "install it, then export CMAKE_ARGS=-Dpicotool_DIR=<install>/picotool "
                    "(environment, not make's command line)"
                ),
            ) from None
        raise

    final = IMAGES_DIR / name
    partial = IMAGES_DIR / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        for image in board.images:
            built = obj_dir / IMAGE_LOCATIONS.get(image, image)
            if not built.is_file():
                raise BuildFailed(f"make for {board.name} succeeded but left no {built}")
            shutil.copy2(built, partial / image)
        write_manifest(
            partial,
            board=board,
            src=src,
            asyncio_c=not bare and (asyncio_c or board.stock),
            extras=None if bare else extras,
            primitives=not bare and not board.stock and primitives and extras == "all",
            commit=commit,
            build_id=build_id,
            obj_dir=obj_dir,
        )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    log(f"image ready: {final}")
    return final

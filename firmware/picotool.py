"""picotool, the host tool pico-sdk 2.x runs while building every rp2 image: built once
from Debian's source package (source.PICOTOOL, pinned) into build/picotool-<version>/ and
reused by every later rp2 build. Without it pico-sdk would try to clone it from GitHub.
"""

import os
import shutil
import subprocess

from . import source
from .errors import BuildFailed
from .paths import BUILD_DIR
from .toolchain import require_tool

DONE = ".built"


def _folder():
    return BUILD_DIR / f"picotool-{source.PICOTOOL.version.split('+')[0]}"


def config_dir():
    """Where picotoolConfig.cmake is once built (cmake's picotool_DIR)."""
    return _folder() / "install" / "picotool"


def ensure(pico_sdk, log=print):
    """Build picotool against `pico_sdk` unless a finished build is there; return picotool_DIR."""
    folder = _folder()
    pin = f"{source.PICOTOOL.file} sha256 {source.PICOTOOL.sha256}\n"
    stamp = folder / DONE
    if (
        stamp.is_file()
        and stamp.read_text() == pin
        and (config_dir() / "picotoolConfig.cmake").is_file()
    ):
        return config_dir()
    require_tool("cmake", "cmake", "rp2")
    require_tool("g++", "g++", "rp2")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    src = source.unpack_debian(source.PICOTOOL, folder / "src", log)
    log(f"building picotool {source.PICOTOOL.version} (once; kept in {folder})")
    log_file = folder / "build.log"
    jobs = str(os.cpu_count() or 1)
    steps = [
        # No libusb: the build only needs picotool's ELF/UF2 handling, not talking to a board.
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(folder / "obj"),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPICO_SDK_PATH={pico_sdk}",
            "-DPICOTOOL_NO_LIBUSB=1",
            "-DPICOTOOL_FLAT_INSTALL=1",
            f"-DCMAKE_INSTALL_PREFIX={folder / 'install'}",
        ],
        ["cmake", "--build", str(folder / "obj"), "-j", jobs],
        ["cmake", "--install", str(folder / "obj")],
    ]
    with open(log_file, "w") as out:
        for cmd in steps:
            out.write("$ " + " ".join(cmd) + "\n")
            out.flush()
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode:
                tail = "\n".join(log_file.read_text().splitlines()[-15:])
                raise BuildFailed(f"building picotool failed (full log: {log_file}):\n{tail}")
    if not (config_dir() / "picotoolConfig.cmake").is_file():
        raise BuildFailed(f"picotool built but left no {config_dir() / 'picotoolConfig.cmake'}")
    stamp.write_text(pin)
    return config_dir()

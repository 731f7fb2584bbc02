"""Set-up: install what building, running and testing need, and nothing twice.

Debian packages come through apt (as root, or through `sudo -n`); Python tools go into
the project's own virtual environment (.venv) from the pinned requirements.txt, so a
system Python that refuses pip installs (PEP 668) is never touched.
"""

import os
import shutil
import subprocess
import sys

from .errors import ToolchainMissing
from .paths import REQUIREMENTS, VENV_DIR

# What each kind of board needs from Debian, on top of a C compiler and make.
# ser2net: labgrid's exporter serves boards' serial ports through it (tests_hw/farm).
APT_COMMON = [
    "build-essential",
    "git",
    "pkg-config",
    "libffi-dev",
    "python3-venv",
    "shellcheck",
    "dfu-util",
    "ser2net",
]
APT_BY_PORT = {
    # servers the unix images' network tests start on 127.0.0.1: dnsmasq (the binary
    # only: dnsmasq-base runs no system service) and openssl s_server/s_client
    "unix": ["dnsmasq-base", "openssl"],
    "qemu": ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "qemu-system-arm"],
    "stm32": ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "dfu-util"],
    "rp2": ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi", "cmake", "g++"],
    "esp32": [],  # ESP-IDF brings its own toolchain
}


# Commands a port needs at run time, each with the Debian package that brings it, installed
# only when the command is missing (a Node.js from elsewhere already brings npm, and Debian's
# npm package would conflict with it).
COMMANDS_BY_PORT = {
    "rp2": {"node": "nodejs", "npm": "npm"},  # rp2040js, the emulated RPI_PICO
}


def _dpkg_installed(package):
    query = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return query.returncode == 0 and "install ok installed" in query.stdout


def missing_apt_packages(packages):
    """Those of the Debian packages not installed (all of them where dpkg is absent)."""
    if not shutil.which("dpkg-query"):
        return list(packages)
    return [p for p in packages if not _dpkg_installed(p)]


def missing_apt(ports):
    wanted = list(APT_COMMON)
    for port in ports:
        wanted += [p for p in APT_BY_PORT.get(port, []) if p not in wanted]
    for port in ports:
        for command, package in COMMANDS_BY_PORT.get(port, {}).items():
            if not shutil.which(command) and package not in wanted:
                wanted.append(package)
    return missing_apt_packages(wanted)


def _privileged_prefix():
    if os.geteuid() == 0:
        return []
    if (
        shutil.which("sudo")
        and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0
    ):
        return ["sudo", "-n"]
    return None


def install_apt(packages, log=print):
    if not packages:
        return
    manual = "apt-get install " + " ".join(packages)
    if not shutil.which("apt-get"):
        raise ToolchainMissing(
            "missing system packages and no apt-get to install them: " + " ".join(packages),
            hint=f"install the equivalents with your package manager ({manual} on Debian/Ubuntu)",
        )
    prefix = _privileged_prefix()
    if prefix is None:
        raise ToolchainMissing(
            "installing system packages needs root: " + " ".join(packages),
            hint=f"run: sudo {manual}",
        )
    log("installing Debian packages: " + " ".join(packages))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "-qq", "update"], ["apt-get", "-qq", "-y", "install", *packages]):
        done = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise ToolchainMissing(
                f"{' '.join(cmd[:2])} failed:\n{tail}", hint=f"run by hand: sudo {manual}"
            )


def venv_python():
    return VENV_DIR / "bin" / "python"


def _requirements():
    lines = REQUIREMENTS.read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def _pip_satisfied(python):
    """True when every pinned requirement is installed at its pinned version."""
    check = (
        "import sys\nfrom importlib.metadata import version, PackageNotFoundError\n"
        "bad = []\n"
        "for req in sys.argv[1:]:\n"
        "    name, _, pin = req.partition('==')\n"
        "    try:\n"
        "        if pin and version(name) != pin: bad.append(req)\n"
        "    except PackageNotFoundError: bad.append(req)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    return subprocess.run([str(python), "-c", check, *_requirements()]).returncode == 0


def ensure_venv(log=print):
    python = venv_python()
    if not python.exists():
        log(f"creating the project's Python environment in {VENV_DIR}")
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(VENV_DIR)], capture_output=True, text=True
        )
        if made.returncode:
            raise ToolchainMissing(
                "cannot create a Python virtual environment: "
                + made.stderr.strip().splitlines()[-1],
                hint="apt-get install python3-venv",
            )
    if not _pip_satisfied(python):
        log(f"installing Python tools from {REQUIREMENTS.name}")
        done = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            raise ToolchainMissing(
                f"pip install failed:\n{tail}",
                hint=f"run: {python} -m pip install -r {REQUIREMENTS}",
            )
    return python


def setup(ports, log=print, packages=()):
    """Install what building and testing `ports` needs, and the Debian `packages` besides
    (an emulator a board runs in). Quiet when all is there."""
    missing = missing_apt(ports)
    install_apt(missing + [p for p in missing_apt_packages(packages) if p not in missing], log)
    return ensure_venv(log)


def require_tool(name, package, port):
    """Fail clearly when a build tool is missing after set-up."""
    if not shutil.which(name):
        raise ToolchainMissing(
            f"{name} not found: the {port} port needs it",
            hint=f"run: make setup (or: apt-get install {package})",
        )

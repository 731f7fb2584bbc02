"""The pinned MicroPython source tree: a build dependency, fetched, never vendored.

Where it comes from, in order:
1. MPY_DIR: a tree the user already has (any release we support).
2. A tree fetched earlier into build/ (its .source.json says what it is).
3. git: a shallow clone of the pinned tag, where GitHub is reachable.
4. Debian: the `micropython` source package of Debian stable, through apt with a
   private configuration (the system's apt lists are not touched), checksum verified.
   Debian strips most lib/ submodules; the boards that need them say so.

Submodules a board needs that Debian packages too (pico-sdk, tinyusb, mbedtls) are filled
into such a Debian tree from Debian's own packages of them, pinned and checksum verified
(DEBIAN_LIBS), as `make submodules` fills a git checkout.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .paths import BUILD_DIR

GIT_URL = "https://github.com/micropython/micropython.git"
GIT_TAG = "v1.28.0"

DEBIAN_SUITE = "trixie"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_PACKAGE = "micropython"
DEBIAN_VERSION = "1.25.0+ds-1"
DEBIAN_ORIG = "micropython_1.25.0+ds.orig.tar.xz"
DEBIAN_ORIG_SHA256 = "7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea"
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"

SOURCE_INFO = ".source.json"


@dataclass(frozen=True)
class DebianPackage:
    """One file of one Debian package, pinned: `kind` is "source" (apt-get source; `file`
    is its upstream tarball) or "binary" (apt-get download; `file` is the .deb).
    `top` is the folder inside that holds the tree."""

    name: str
    version: str
    kind: str
    file: str
    sha256: str
    top: str


# Debian trixie's packages of what MicroPython 1.25 keeps as submodules (the pins it names:
# pico-sdk 2.1.1, tinyusb 0.17.0, mbedtls 3.6.2; Debian has 0.18.0 and 3.6.6, which build).
DEBIAN_LIBS = {
    "lib/pico-sdk": DebianPackage(
        "pico-sdk",
        "2.1.1-1",
        "source",
        "pico-sdk_2.1.1.orig.tar.gz",
        "179c5531e75ac7f82d0679e70b6e8881f871738dc0ef17baf3b4ff4679291c41",
        "pico-sdk-2.1.1",
    ),
    "lib/tinyusb": DebianPackage(
        "tinyusb-source",
        "0.18.0+dfsg-1",
        "binary",
        "tinyusb-source_0.18.0+dfsg-1_all.deb",
        "01ce2c645df68f14a8a7dcfc8fb355713152543757955820479a87949a61154e",
        "usr/src/tinyusb",
    ),
    "lib/mbedtls": DebianPackage(
        "mbedtls",
        "3.6.6-0.1~deb13u1",
        "source",
        "mbedtls_3.6.6.orig.tar.bz2",
        "8fb65fae8dcae5840f793c0a334860a411f884cc537ea290ce1c52bb64ca007a",
        "mbedtls-3.6.6",
    ),
}
# pico-sdk 2.x builds picotool (a host tool) into every rp2 image's build.
PICOTOOL = DebianPackage(
    "picotool",
    "2.1.1+dfsg-1",
    "source",
    "picotool_2.1.1+dfsg.orig.tar.xz",
    "c515d75ce6df590ca783b3a4267f6e8a963ffec753aeeb1892f8ba1771b8786d",
    "picotool-2.1.1",
)
LIB_STAMP = ".from-debian"


@dataclass(frozen=True)
class Source:
    path: Path
    version: str  # e.g. "1.25.0"
    origin: str  # human-readable: where the tree came from

    @property
    def fetched_by_git(self):
        """A clone this tool made of the pinned tag, so its submodules may be fetched."""
        return self.origin.startswith("git ")

    @property
    def fetched_from_debian(self):
        """Debian's tarball unpacked by this tool: its empty lib/ folders may be filled."""
        return self.origin.startswith("Debian ")

    def describe(self):
        return f"MicroPython {self.version} from {self.origin} at {self.path}"


def read_version(tree):
    """MicroPython's version as its own py/mpconfig.h states it."""
    text = (Path(tree) / "py" / "mpconfig.h").read_text()
    parts = [
        re.search(rf"#define MICROPY_VERSION_{part} \(?(\d+)", text)
        for part in ("MAJOR", "MINOR", "MICRO")
    ]
    if not all(parts):
        raise SourceError(f"{tree}: cannot read MicroPython's version from py/mpconfig.h")
    return ".".join(m.group(1) for m in parts)


def _is_tree(path):
    return (Path(path) / "py" / "mkenv.mk").is_file() and (Path(path) / "ports").is_dir()


def resolve(fetch=True, log=print):
    """Return the Source to build from, fetching the pinned one if needed."""
    given = os.environ.get("MPY_DIR")
    if given:
        tree = Path(given).expanduser().resolve()
        if not _is_tree(tree):
            raise SourceError(
                f"MPY_DIR={given} is not a MicroPython source tree (no py/mkenv.mk)",
                hint="point MPY_DIR at the top of a micropython checkout, or unset it",
            )
        return Source(tree, read_version(tree), "MPY_DIR")
    for candidate in sorted(BUILD_DIR.glob("micropython-*/")):
        info = candidate / SOURCE_INFO
        if info.is_file():
            meta = json.loads(info.read_text())
            return Source(candidate, meta["version"], meta["origin"])
    if not fetch:
        raise SourceError("no MicroPython source fetched yet", hint="run: make source")
    BUILD_DIR.mkdir(exist_ok=True)
    how = os.environ.get("MPY_SOURCE", "auto")  # auto | git | debian
    if how in ("auto", "git") and (how == "git" or _github_reachable()):
        return _fetch_git(log)
    if how == "git":
        raise SourceError("MPY_SOURCE=git but GitHub is not reachable")
    return _fetch_debian(log)


def _github_reachable():
    try:
        probe = subprocess.run(
            ["git", "ls-remote", "--exit-code", GIT_URL, f"refs/tags/{GIT_TAG}"],
            capture_output=True,
            timeout=20,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _finish(tree, version, origin):
    (tree / SOURCE_INFO).write_text(json.dumps({"version": version, "origin": origin}) + "\n")
    return Source(tree, version, origin)


def _fetch_git(log):
    version = GIT_TAG.lstrip("v")
    tree = BUILD_DIR / f"micropython-{version}"
    partial = tree.with_name(tree.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    log(f"fetching MicroPython {GIT_TAG} with git from {GIT_URL}")
    run = subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", "--branch", GIT_TAG, GIT_URL, str(partial)]
    )
    if run.returncode:
        shutil.rmtree(partial, ignore_errors=True)
        raise SourceError(f"git clone of {GIT_TAG} failed", hint="set MPY_DIR to a local tree")
    shutil.rmtree(tree, ignore_errors=True)  # an earlier attempt that was never finished
    partial.rename(tree)
    return _finish(tree, read_version(tree), f"git {GIT_URL} tag {GIT_TAG}")


def _apt_options(workdir, binary=False):
    sources = workdir / "sources.list"
    lines = f"deb-src [signed-by={DEBIAN_KEYRING}] {DEBIAN_MIRROR} {DEBIAN_SUITE} main\n"
    if binary:
        arch = subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True
        ).stdout.strip()
        lines += (
            f"deb [arch={arch or 'amd64'} signed-by={DEBIAN_KEYRING}] "
            f"{DEBIAN_MIRROR} {DEBIAN_SUITE} main\n"
        )
    sources.write_text(lines)
    lists = workdir / "lists"
    cache = workdir / "cache"
    for d in (lists / "partial", cache / "archives" / "partial"):
        d.mkdir(parents=True, exist_ok=True)
    return [
        "-o",
        f"Dir::Etc::SourceList={sources}",
        "-o",
        "Dir::Etc::SourceParts=/dev/null",
        "-o",
        f"Dir::State::Lists={lists}",
        "-o",
        f"Dir::Cache={cache}",
        "-o",
        "APT::Sandbox::User=root" if os.geteuid() == 0 else "Debug::NoDropPrivs=1",
    ]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch_debian(log):
    if not shutil.which("apt-get"):
        raise SourceError(
            "GitHub is not reachable and apt-get is not "
            "available to fetch Debian's source package",
            hint="set MPY_DIR to a MicroPython source tree",
        )
    _need_keyring()
    workdir = BUILD_DIR / "debian-source"
    workdir.mkdir(parents=True, exist_ok=True)
    opts = _apt_options(workdir)
    log(
        f"fetching MicroPython source package {DEBIAN_PACKAGE} "
        f"{DEBIAN_VERSION} from Debian {DEBIAN_SUITE} via apt"
    )
    steps = [
        ["apt-get", "-q", *opts, "update"],
        [
            "apt-get",
            "-q",
            *opts,
            "source",
            "--download-only",
            f"{DEBIAN_PACKAGE}={DEBIAN_VERSION}",
        ],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
        if done.returncode:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise SourceError(
                f"apt-get failed fetching Debian's {DEBIAN_PACKAGE} source:\n{tail}",
                hint="check network access to Debian, or set MPY_DIR",
            )
    orig = workdir / DEBIAN_ORIG
    actual = _sha256(orig)
    if actual != DEBIAN_ORIG_SHA256:
        orig.unlink()
        raise SourceError(
            f"{DEBIAN_ORIG}: sha256 {actual} does not match the pinned {DEBIAN_ORIG_SHA256}"
        )
    # The upstream tarball as Debian received it; Debian's own patches are not applied.
    with tarfile.open(orig) as tar:
        top = tar.getnames()[0].split("/")[0]
        partial = BUILD_DIR / (top + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        tar.extractall(partial, filter="data")
    tree = BUILD_DIR / top
    shutil.rmtree(tree, ignore_errors=True)  # an earlier attempt that was never finished
    (partial / top).rename(tree)
    partial.rmdir()
    return _finish(
        tree,
        read_version(tree),
        f"Debian {DEBIAN_SUITE} source package {DEBIAN_PACKAGE} "
        f"{DEBIAN_VERSION} (orig tarball, sha256 verified)",
    )


def _need_keyring():
    if not Path(DEBIAN_KEYRING).is_file():
        raise SourceError(
            f"{DEBIAN_KEYRING} is missing, so Debian's packages cannot be verified",
            hint="apt-get install debian-archive-keyring, or set MPY_DIR",
        )


def _apt_tail(done):
    lines = (done.stdout + done.stderr).strip().splitlines()
    errors = [line for line in lines if line.startswith(("E:", "Err"))]
    return "\n".join((errors or lines)[-3:])


_apt_updated = []


def debian_file(package, log=print):
    """The pinned file of a Debian package, downloaded once into build/debian-libs/ through
    apt (private configuration), its sha256 checked; SourceError (one line) if it cannot be had."""
    workdir = BUILD_DIR / "debian-libs"
    path = workdir / package.file
    if path.is_file() and _sha256(path) == package.sha256:
        return path
    if not shutil.which("apt-get"):
        raise SourceError(
            f"apt-get is not available to fetch Debian's {package.name} {package.version}",
            hint="on Debian/Ubuntu: apt-get install apt; "
            "or build with MPY_DIR=<a git checkout with submodules>",
        )
    _need_keyring()
    workdir.mkdir(parents=True, exist_ok=True)
    opts = _apt_options(workdir, binary=True)
    if (
        not _apt_updated
    ):  # once per run: lists from an earlier run may name versions since replaced
        done = subprocess.run(
            ["apt-get", "-q", *opts, "update"], cwd=workdir, capture_output=True, text=True
        )
        if done.returncode:
            raise SourceError(
                f"apt-get update for Debian {DEBIAN_SUITE} failed: {_apt_tail(done)}",
                hint="check network access to Debian's archive",
            )
        _apt_updated.append(True)
    log(f"fetching Debian {DEBIAN_SUITE} package {package.name} {package.version} via apt")
    if package.kind == "source":
        # Only the upstream tarball is used; a mirror that lacks the .dsc or Debian's own
        # diff makes apt fail the whole command after fetching it, so its file decides.
        cmd = [
            "apt-get",
            "-q",
            *opts,
            "source",
            "--download-only",
            f"{package.name}={package.version}",
        ]
    else:
        cmd = ["apt-get", "-q", *opts, "download", f"{package.name}={package.version}"]
    done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    if not path.is_file():
        raise SourceError(
            f"could not fetch Debian's {package.name} "
            f"{package.version} ({package.file}): {_apt_tail(done)}",
            hint=f"is {package.name} {package.version} still in Debian {DEBIAN_SUITE}? "
            "Else build with MPY_DIR=<a git checkout with submodules>",
        )
    actual = _sha256(path)
    if actual != package.sha256:
        path.unlink()
        raise SourceError(
            f"{package.file}: sha256 {actual} does not match the pinned {package.sha256}"
        )
    return path


def unpack_debian(package, dest, log=print):
    """Unpack the package's tree (its `top` folder) into dest, made anew; a stamp names the
    package."""
    archive = debian_file(package, log)
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        if package.kind == "binary":
            done = subprocess.run(
                ["dpkg-deb", "-x", str(archive), str(partial)], capture_output=True, text=True
            )
            if done.returncode:
                raise SourceError(
                    f"dpkg-deb could not unpack {archive.name}: {done.stderr.strip()[-200:]}"
                )
        else:
            with tarfile.open(archive) as tar:
                tar.extractall(partial, filter="data")
        top = partial / package.top
        if not top.is_dir():
            raise SourceError(f"{archive.name} has no {package.top}/")
        if dest.exists():
            shutil.rmtree(dest)
        top.rename(dest)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    (dest / LIB_STAMP).write_text(
        f"{package.name} {package.version} {package.file} sha256 {package.sha256}\n"
    )
    return dest


def fill_from_debian(source, paths, log=print):
    """Fill those of `paths` (lib/ submodules) that a Debian tree lacks from DEBIAN_LIBS;
    return the rest."""
    missing = missing_submodules(source, paths)
    if not source.fetched_from_debian:
        return missing
    for rel in [r for r in missing if r in DEBIAN_LIBS]:
        package = DEBIAN_LIBS[rel]
        unpack_debian(package, source.path / rel, log)
        log(f"{rel}: Debian {package.name} {package.version}")
    return missing_submodules(source, paths)


def missing_submodules(source, paths):
    """Those of `paths` (like "lib/stm32lib") that are absent or empty in the tree."""
    missing = []
    for rel in paths:
        folder = source.path / rel
        if not folder.is_dir() or not any(folder.iterdir()):
            missing.append(rel)
    return missing

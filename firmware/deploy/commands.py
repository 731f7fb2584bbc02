"""Runs (or, in a dry run, only prints) the external commands a deploy needs."""

import os
import shlex
import shutil
import subprocess
import sys

from .errors import FlashFailed, FlashToolMissing

# How to get each tool, for the "tool missing" error.
INSTALL_HINTS = {
    "esptool": "pip install esptool",
    "dfu-util": "apt-get install dfu-util (macOS: brew install dfu-util)",
    "picotool": "apt-get install picotool, or build it from the pico-sdk's picotool repository",
}


def find_tool(name):
    """On PATH, or beside this Python (make runs .venv/bin/python without activating the venv)."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return shutil.which(name) or (beside if os.access(beside, os.X_OK) else None)


class Runner:
    """One place that decides whether a step really happens, so dry runs cannot drift from
    real runs."""

    def __init__(self, dry_run=False, out=print):
        self.dry_run = dry_run
        self.out = out

    def tool(self, name):
        """The path of a tool; a missing tool is an error except in a dry run."""
        path = find_tool(name)
        if path is None and name == "esptool":
            path = find_tool("esptool.py")  # esptool 4.x installs this name
        if path is not None:
            return path
        if self.dry_run:
            return name
        raise FlashToolMissing(f"{name} not found on PATH", hint=INSTALL_HINTS.get(name))

    def step(self, text):
        """A non-command action (serial write, file copy, wait), shown in the same stream."""
        self.out(("# " if self.dry_run else "-> ") + text)

    def run(self, argv, check=True, timeout=600, probe=False):
        """Run argv; return (returncode, output). A dry run prints it and returns (0, "")."""
        # Shown by bare name, as a person would type it; run by full path.
        shown = " ".join(shlex.quote(str(a)) for a in [os.path.basename(argv[0]), *argv[1:]])
        self.out(f"$ {shown}")
        if self.dry_run:
            return 0, ""
        try:
            result = subprocess.run(
                [str(a) for a in argv], capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise FlashFailed(f"{shown}: no answer after {timeout} s") from None
        output = result.stdout + result.stderr
        if not probe:
            for line in output.splitlines():
                self.out("   " + line)
        if check and result.returncode != 0:
            last = output.strip().splitlines()[-1] if output.strip() else "no output"
            raise FlashFailed(f"{argv[0]} failed (exit {result.returncode}): {last}")
        return result.returncode, output

"""The runner's branch of the project's one error hierarchy (firmware.errors):
each is printed as one line by the CLI and the pytest plugin, so the user sees
what is wrong and not a traceback.

A board's serial line fails with firmware.errors' DeviceError family (raised by
firmware.serial_repl); they are named here too so runner code says errors.X for
every failure it handles, and catches errors.FirmwareError to mean any of them.
"""

from firmware.errors import (  # noqa: F401  (re-exported: the serial line's failures)
    DeviceUnresponsive,
    FirmwareError,
    InterruptFailed,
    LineLost,
    NotMicroPython,
    PortAbsent,
    PortBusy,
    PortPermission,
)


class RunnerError(FirmwareError):
    """Base of every failure the runner itself reports to the user."""


class TargetError(RunnerError):
    """The board could not be reached (the whole run depends on it)."""


class EmulatorError(TargetError):
    """qemu or the unix image could not be started."""


class FlashError(TargetError):
    """--flash could not put the image on a board: the run stops before any test."""


class WrongImage(TargetError):
    """The board answers with another build than the one flashed (or booted): the run stops."""


class UsageError(RunnerError):
    """Bad command line or suite layout."""


class BoardGone(RunnerError):
    """The board died or reset while a test ran: how is "died" or "reset", what names the cause."""

    def __init__(self, how, what):
        super().__init__(f"board {how} mid-test: {what}")
        self.how = how

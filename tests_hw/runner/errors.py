"""The runner's branch of the project's one error hierarchy (firmware.errors):
each is printed as one line by the CLI and the pytest plugin, so the user sees
what is wrong and not a traceback."""

from firmware.errors import FirmwareError


class RunnerError(FirmwareError):
    """Base of every failure the runner reports to the user."""


class TargetError(RunnerError):
    """The board could not be reached (the whole run depends on it)."""


class PortAbsent(TargetError):
    pass


class PortBusy(TargetError):
    pass


class PortPermission(TargetError):
    pass


class NotMicroPython(TargetError):
    """Something answers on the port, but not a MicroPython raw REPL."""


class EmulatorError(TargetError):
    """qemu or the unix image could not be started."""


class DeviceUnresponsive(RunnerError):
    """The device stopped answering (recovered from if possible)."""


class InterruptFailed(DeviceUnresponsive):
    """A test ran past its timeout and Ctrl-C did not stop it."""


class UsageError(RunnerError):
    """Bad command line or suite layout."""

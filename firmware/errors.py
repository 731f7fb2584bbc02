"""One error hierarchy for all host tooling: the CLI prints these as one line."""


class FirmwareError(Exception):
    """A failure the user can act on. `hint` says what to do about it."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint

    def __str__(self):
        text = super().__str__()
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class UnknownBoard(FirmwareError):
    pass


class SourceError(FirmwareError):
    """The pinned MicroPython source could not be had or failed verification."""


class MissingSubmodules(FirmwareError):
    pass


class ToolchainMissing(FirmwareError):
    pass


class BuildFailed(FirmwareError):
    pass


class ImageMissing(FirmwareError):
    pass


class DeviceError(FirmwareError):
    """A board or emulator did not behave as a MicroPython device should."""


class PortUnavailable(DeviceError):
    """The board's serial port could not be opened: nothing can be said to it."""


class PortAbsent(PortUnavailable):
    pass


class PortBusy(PortUnavailable):
    pass


class PortPermission(PortUnavailable):
    pass


class NotMicroPython(DeviceError):
    """Something answers on the port, but not a MicroPython raw REPL."""


class DeviceUnresponsive(DeviceError):
    """The board stopped answering in the middle of a conversation."""


class InterruptFailed(DeviceUnresponsive):
    """Code ran past its timeout and Ctrl-C did not stop it."""


class LineLost(DeviceUnresponsive):
    """Reading or writing the serial line failed: the port or the emulator behind it went away."""

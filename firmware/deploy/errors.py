"""Deploy's failures: each one a FirmwareError, printed by the CLI as one line plus a hint."""

from ..errors import DeviceError, FirmwareError, ToolchainMissing


class PortNotFound(FirmwareError):
    pass


class AmbiguousPort(FirmwareError):
    pass


class WrongChip(DeviceError):
    pass


class FlashToolMissing(ToolchainMissing):
    pass


class FlashFailed(DeviceError):
    pass


class VerifyFailed(DeviceError):
    """The board came back, but not with the image we just flashed."""

"""Host-side runner for MicroPython device tests (tests_hw/suite) over serial.

Public surface: the CLI (`python3 -m tests_hw.runner`), the pytest plugin
(tests_hw/conftest.py), and these names for tools built on top of it.
"""

from .engine import Engine
from .errors import RunnerError
from .results import TestResult
from .suite import DeviceTest, discover
from .targets import EmulatorTarget, PortTarget, board_target, make_targets

__all__ = [
    "Engine",
    "RunnerError",
    "TestResult",
    "DeviceTest",
    "discover",
    "EmulatorTarget",
    "PortTarget",
    "board_target",
    "make_targets",
]

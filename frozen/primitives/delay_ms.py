# primitives.delay_ms as in micropython-async v3: our asyncio's own.
from asyncio import Delay_ms  # noqa: F401

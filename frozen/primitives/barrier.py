# primitives.barrier as in micropython-async v3: our asyncio's own.
from asyncio import Barrier  # noqa: F401

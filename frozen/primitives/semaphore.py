# primitives.semaphore as in micropython-async v3: our asyncio's own.
from asyncio import Semaphore, BoundedSemaphore  # noqa: F401

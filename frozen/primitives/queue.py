# primitives.queue as in micropython-async v3: our asyncio's own.
from asyncio import Queue, QueueEmpty, QueueFull  # noqa: F401

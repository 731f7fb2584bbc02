# primitives.ringbuf_queue as in micropython-async v3: our asyncio's own.
from asyncio import RingbufQueue  # noqa: F401

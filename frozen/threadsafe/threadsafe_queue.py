# threadsafe.threadsafe_queue as in micropython-async v3: our asyncio's own.
from asyncio import ThreadSafeQueue  # noqa: F401

# threadsafe.threadsafe_event as in micropython-async v3: our asyncio's own.
from asyncio import ThreadSafeEvent  # noqa: F401

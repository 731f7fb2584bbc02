# threadsafe.message as in micropython-async v3: our asyncio's own.
from asyncio import Message  # noqa: F401

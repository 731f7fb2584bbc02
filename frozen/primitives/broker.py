# primitives.broker as in micropython-async v3: our asyncio's own.
from asyncio import Broker, RegExp, broker  # noqa: F401
from . import Agent  # noqa: F401

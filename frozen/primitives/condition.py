# primitives.condition as in micropython-async v3: our asyncio's own.
from asyncio import Condition  # noqa: F401

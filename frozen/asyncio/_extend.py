# Loaded by asyncio/__init__.py when the image has the CPython-compatible
# extras: gives the core's Task and the Loop facade their extra methods
# (they can't load lazily: they're reached through objects, not the module).
# (`from .x import name`, not `from . import x`: the package's __getattr__
# would answer the latter before the submodule is imported.)

from ._taskext import InvalidStateError  # attaches the Task methods
from ._callbacks import install
from ._loop import Loop

install(Loop)
_installed = True

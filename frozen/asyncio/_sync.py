# Synchronisation primitives. Event, Lock and ThreadSafeFlag live in the
# core (C or its Python twin) so their hand-off allocates nothing;
# ThreadSafeFlag is a pollable stream so it can be set from outside the loop.

from ._kernel import _core

Event = _core.Event
Lock = _core.Lock
ThreadSafeFlag = _core.ThreadSafeFlag

# threadsafe: micropython-async v3's package of that name ("from threadsafe
# import ThreadSafeQueue, Message"): our asyncio's own classes, loaded on
# first use.
_NAMES = ("Message", "ThreadSafeEvent", "ThreadSafeQueue")


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError("module 'threadsafe' has no attribute '%s'" % name)
    import asyncio

    value = getattr(asyncio, name)
    globals()[name] = value
    return value

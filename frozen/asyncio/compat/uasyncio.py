# `import uasyncio` for code written before the module was renamed asyncio.
# Attributes are fetched from asyncio on demand, so nothing is duplicated.


def __getattr__(name):
    import asyncio

    return getattr(asyncio, name)

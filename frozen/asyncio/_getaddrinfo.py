# loop.getaddrinfo() (CPython's signature), resolved without blocking the
# loop by our DNS client.

from ._dns import getaddrinfo as _lookup


async def getaddrinfo(host, port, *, family=0, type=0, proto=0, flags=0):
    return await _lookup(host, port, family, type, proto, flags)

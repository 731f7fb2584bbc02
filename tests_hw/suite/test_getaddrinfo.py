# expect: cpython
# requires: network
# loop.getaddrinfo() (CPython's signature): numeric addresses and
# localhost need no name server; results are getaddrinfo's 5-tuples whose
# address the port's sockets take. (Names go to a DNS server: the host
# tests in tests/test_dns.py run one.)
import asyncio
import errno
import socket
import time

if not hasattr(asyncio, "get_running_loop"):  # (an image without the "cpython" extras)
    print("SKIP")
    raise SystemExit


async def main():
    loop = asyncio.get_event_loop()
    cases = (("127.0.0.1", 0), ("localhost", socket.AF_INET))  # (::1: test_ipv6.py)
    for host, family in cases:
        found = await loop.getaddrinfo(host, 0, family=family, type=socket.SOCK_STREAM)
        f, kind, proto, canon, addr = found[0]
        print(host, f == (family or socket.AF_INET), kind == socket.SOCK_STREAM, len(found))
        # a socket of that family takes the address
        s = socket.socket(f, kind)
        s.bind(addr)
        s.close()
    try:
        await loop.getaddrinfo("127.0.0.1", 80, socket.AF_INET)
    except TypeError:
        print("family is keyword-only")
    first = 20000 + (int(time.time()) * 13) % 20000
    for port in range(first, first + 20):
        try:
            server = await asyncio.start_server(lambda r, w: w.close(), "localhost", port)
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    reader, writer = await asyncio.open_connection("localhost", port)
    print("connected by name", await reader.read(10))
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())

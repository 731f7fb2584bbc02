# requires: network udp_errors
# A datagram sent where nobody listens: the ICMP "port unreachable" that
# comes back reaches the sender, as ConnectionRefusedError's errno at the
# next receive of our open_datagram socket, and as error_received() of a
# CPython DatagramProtocol. The runner skips the file where the port's
# stack never hands that error to a UDP socket (lwIP drops it: esp32).
# Runs on CPython too (the endpoint half).
import hwtest
from hwtest import eq, true

socket = hwtest.require("socket")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import errno  # noqa: E402


async def closed_port():
    # a port nobody listens on: one just bound and closed
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(50):
        port = hwtest.next_port()
        try:
            s.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    s.close()
    return port


async def test_our_datagram_socket_raises_at_the_next_receive():
    if not hasattr(asyncio, "open_datagram"):
        raise hwtest.Skip("asyncio.open_datagram is ours (the all extras)")
    lonely = await asyncio.open_datagram(remote_addr=("127.0.0.1", await closed_port()))
    # (Asked again while no answer comes: the kernel sends ICMP errors from
    # a budget shared by the whole machine, which a loaded one may exhaust.)
    e = None
    for _ in range(30):
        await lonely.sendto(b"anyone?")
        try:
            await asyncio.wait_for(lonely.recv_into(bytearray(8)), 0.1)
        except asyncio.TimeoutError:
            continue
        except OSError as err:
            e = err
            break
    true(e is not None, "no error came back")
    eq(e.errno, errno.ECONNREFUSED)
    lonely.close()


async def test_a_protocol_gets_error_received():
    if not hasattr(asyncio, "DatagramProtocol"):
        raise hwtest.Skip("no DatagramProtocol (an image without the cpython extras)")

    class Lonely(asyncio.DatagramProtocol):
        def __init__(self):
            self.errors = []
            self.lost = []

        def error_received(self, exc):
            self.errors.append(exc)

        def connection_lost(self, exc):
            self.lost.append(exc)

    loop = asyncio.get_event_loop()
    port = await closed_port()
    transport, proto = await loop.create_datagram_endpoint(Lonely, remote_addr=("127.0.0.1", port))
    for _ in range(30):  # (the machine-wide ICMP budget, as above)
        transport.sendto(b"anyone?")
        for _ in range(10):
            await asyncio.sleep(0.01)
            if proto.errors:
                break
        if proto.errors:
            break
    true(proto.errors, "error_received() never called")
    e = proto.errors[0]
    true(isinstance(e, OSError), repr(e))
    eq(e.errno, errno.ECONNREFUSED)
    transport.close()
    for _ in range(100):
        if proto.lost:
            break
        await asyncio.sleep(0.01)
    eq(proto.lost, [None], "connection_lost(None) after close()")


hwtest.main()

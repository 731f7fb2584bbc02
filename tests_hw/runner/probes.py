"""Feature probes: what a board can do, asked once per connection.

Tests name what they need in a `# requires:` header (e.g. `threads float`,
`heap>=65536`); missing features skip the test instead of failing it.
"""

import ast
import re

from . import errors

# "network" is a usable interface, not a socket module: a TCP server on 127.0.0.1 that a
# client reaches, as the suite's TCP tests need. The module alone is not enough: a Pyboard
# has one and no NIC ("no available NIC" at bind). "ipv6" is the same on ::1 (the esp32
# port has AF_INET6 and lwIP's IPv6, but its getaddrinfo gives no IPv6 address). "udp_errors"
# is a stack that hands an ICMP "port unreachable" to the UDP socket that caused it (a
# kernel does; lwIP drops it). Each is asked of the socket module, not of asyncio: a
# missing one skips the tests that need it, with "why"; what our asyncio does on top
# stays tested wherever the stack can.
PROBE = r"""
import sys, gc
try:
    from errno import EADDRINUSE, ECONNREFUSED
except ImportError:
    EADDRINUSE, ECONNREFUSED = 98, 111
def _listen(socket, family, host, first):
    for port in range(first, first + 20):
        server = socket.socket(family, socket.SOCK_STREAM)
        try:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        except (AttributeError, OSError):
            pass
        addr = socket.getaddrinfo(host, port, family)[0][-1]
        if addr is None:
            server.close()
            return None, "getaddrinfo(%r) gives no address" % host
        try:
            server.bind(addr)
        except OSError as e:
            server.close()
            if e.args[0] != EADDRINUSE:
                raise
            continue
        server.listen(1)
        return server, addr
    return None, "no free port to listen on"
def _reaches(family, host, first):
    try:
        import socket
    except ImportError:
        return "no socket module"
    if not hasattr(socket, family):
        return "no socket." + family
    family = getattr(socket, family)
    server = client = None
    try:
        server, addr = _listen(socket, family, host, first)
        if server is None:
            return addr
        client = socket.socket(family, socket.SOCK_STREAM)
        client.settimeout(3)
        client.connect(addr)
        return True
    except Exception as e:
        return "%s unreachable: %s: %s" % (host, type(e).__name__, e)
    finally:
        for s in (client, server):
            if s is not None:
                s.close()
def _udp_errors():
    import socket
    lonely = None
    try:
        # a port nobody listens on: one just bound and closed
        grab = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for port in range(47040, 47060):
            addr = socket.getaddrinfo("127.0.0.1", port)[0][-1]
            try:
                grab.bind(addr)
                break
            except OSError:
                pass
        grab.close()
        lonely = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        lonely.connect(addr)
        lonely.settimeout(0.1)
        for _ in range(10):  # (a kernel's ICMP budget is machine-wide: ask again)
            try:  # (the error comes at the next send or receive)
                lonely.send(b"?")
                lonely.recv(8)
            except OSError as e:
                if e.args[0] == ECONNREFUSED:
                    return True
        return "no ICMP port unreachable reaches a UDP socket"
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)
    finally:
        if lonely is not None:
            lonely.close()
def _probe():
    f = {
        "platform": sys.platform,
        "version": ".".join(str(v) for v in sys.implementation.version[:3]),
    }
    why = {}
    for feature, module in (("threads", "_thread"), ("asyncio", "asyncio")):
        try:
            __import__(module)
            f[feature] = True
        except ImportError:
            f[feature] = False
            why[feature] = "no %s module" % module
    try:
        import machine
    except ImportError:
        machine = None
    f["lightsleep"] = hasattr(machine, "lightsleep")
    if not f["lightsleep"]:
        why["lightsleep"] = "no machine.lightsleep"
    f["periodic_timer"] = hasattr(getattr(machine, "Timer", None), "PERIODIC")
    if not f["periodic_timer"]:
        why["periodic_timer"] = "no machine.Timer.PERIODIC"
    net = _reaches("AF_INET", "127.0.0.1", 47000)
    if net is True:
        six = _reaches("AF_INET6", "::1", 47020)
        udp = _udp_errors()
    else:
        udp = six = "no network"
    for name, got in (("network", net), ("ipv6", six), ("udp_errors", udp)):
        f[name] = got is True
        if got is not True:
            why[name] = got
    try:
        f["float"] = float("1.5") * 2 == 3
    except Exception:
        f["float"] = False
    gc.collect()
    f["heap"] = gc.mem_free() + gc.mem_alloc()
    f["why"] = why
    print(repr(f))
_probe()
"""

REQUIREMENT = re.compile(r"^(\w+)(?:>=(\d+))?$")


def probe(session, timeout=10):
    result = session.exec(PROBE, timeout=timeout)
    if result.timed_out or result.error:
        raise errors.DeviceUnresponsive(
            f"{session.url}: feature probe failed: {result.error.decode(errors='replace')[-200:]}"
        )
    try:
        return ast.literal_eval(result.output.decode().strip())
    except (ValueError, SyntaxError):
        raise errors.NotMicroPython(
            f"{session.url}: feature probe gave {result.output[:60]!r}"
        ) from None


def apply_lacks(features, lacks):
    """Take what the board's emulator lacks ({feature: why}) as missing, with why."""
    why = features.setdefault("why", {})
    for name in lacks:
        features[name] = False
        why[name] = lacks[name]
    return features


def missing(requires, features):
    """The requirements in `requires` that `features` does not meet, each with why
    (from the probe, or from what the board's emulator lacks)."""
    why = features.get("why") or {}
    lacking = []
    for item in requires:
        match = REQUIREMENT.match(item)
        if not match:
            lacking.append(f"{item} (unknown requirement)")
            continue
        name, minimum = match.group(1), match.group(2)
        value = features.get(name)
        if minimum is not None:
            if not isinstance(value, int) or value < int(minimum):
                lacking.append(f"{name}>={minimum} (has {value})")
        elif not value:
            lacking.append(f"{name} ({why[name]})" if why.get(name) else name)
    return lacking

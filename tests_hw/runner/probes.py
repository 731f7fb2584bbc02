"""Feature probes: what a board can do, asked once per connection.

Tests name what they need in a `# requires:` header (e.g. `threads float`,
`heap>=65536`); missing features skip the test instead of failing it.
"""

import ast
import re

from . import errors

# "network" is a usable interface, not a socket module: a TCP server on 127.0.0.1 that a
# client reaches, as the suite's TCP tests need. The module alone is not enough: a Pyboard
# has one and no NIC ("no available NIC" at bind). "why" says what each missing feature lacks.
PROBE = r"""
import sys, gc
def _network():
    try:
        import socket
    except ImportError:
        return "no socket module"
    try:
        from errno import EADDRINUSE
    except ImportError:
        EADDRINUSE = 98
    server = client = None
    try:
        for port in range(47000, 47020):
            server = socket.socket()
            try:
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            except (AttributeError, OSError):
                pass
            addr = socket.getaddrinfo("127.0.0.1", port)[0][-1]
            try:
                server.bind(addr)
                break
            except OSError as e:
                server.close()
                server = None
                if e.args[0] != EADDRINUSE:
                    raise
        if server is None:
            return "no free port to listen on"
        server.listen(1)
        client = socket.socket()
        client.settimeout(3)
        client.connect(addr)
        return True
    except Exception as e:
        return "127.0.0.1 unreachable: %s: %s" % (type(e).__name__, e)
    finally:
        for s in (client, server):
            if s is not None:
                s.close()
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
        f["lightsleep"] = hasattr(machine, "lightsleep")
    except ImportError:
        f["lightsleep"] = False
    if not f["lightsleep"]:
        why["lightsleep"] = "no machine.lightsleep"
    net = _network()
    f["network"] = net is True
    if net is not True:
        why["network"] = net
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

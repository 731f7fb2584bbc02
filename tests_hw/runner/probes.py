"""Feature probes: what a board can do, asked once per connection.

Tests name what they need in a `# requires:` header (e.g. `threads float`,
`heap>=65536`); missing features skip the test instead of failing it.
"""

import ast
import re

from . import errors

PROBE = r"""
import sys, gc
def _probe():
    f = {"platform": sys.platform, "version": ".".join(str(v) for v in sys.implementation.version[:3])}
    for feature, module in (("threads", "_thread"), ("network", "socket"), ("asyncio", "asyncio")):
        try:
            __import__(module)
            f[feature] = True
        except ImportError:
            f[feature] = False
    try:
        f["float"] = float("1.5") * 2 == 3
    except Exception:
        f["float"] = False
    gc.collect()
    f["heap"] = gc.mem_free() + gc.mem_alloc()
    print(repr(f))
_probe()
"""

REQUIREMENT = re.compile(r"^(\w+)(?:>=(\d+))?$")


def probe(session, timeout=10):
    result = session.exec(PROBE, timeout=timeout)
    if result.timed_out or result.error:
        raise errors.DeviceUnresponsive(f"{session.url}: feature probe failed: {result.error.decode(errors='replace')[-200:]}")
    try:
        return ast.literal_eval(result.output.decode().strip())
    except (ValueError, SyntaxError):
        raise errors.NotMicroPython(f"{session.url}: feature probe gave {result.output[:60]!r}") from None


def apply_lacks(features, lacks):
    """Take what the board's emulator lacks ({feature: why}) as missing, keeping why."""
    for name in lacks:
        features[name] = False
    features["lacks"] = dict(lacks)
    return features


def missing(requires, features):
    """The requirements in `requires` that `features` does not meet (with the reason,
    for what an emulator lacks)."""
    why = features.get("lacks") or {}
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
            lacking.append(f"{name} ({why[name]})" if name in why else name)
    return lacking

# Every name of the package's registry (asyncio._LAZY: the table the
# package loads by and manifest.py freezes from) either works or, on an
# image built with a smaller `extras` manifest option, raises an
# AttributeError that says so; a tier is there whole or not at all, and
# holding a tier means holding those before it.
import asyncio
import hwtest

hwtest.require("asyncio._LAZY")  # (ours: stock has no registry)


def _registry():
    # [(tier, where, name)] in the registry's order
    out = []
    tier = "core"
    tokens = asyncio._LAZY.split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "|":
            tier = tokens[i + 1]
            i += 1
        elif not token.endswith(":"):
            where, name = token.split(".") if "." in token else ("", token)
            out.append((tier, where, name))
        i += 1
    return out


async def _nap():
    pass


def _get(where, name):
    if where == "Loop":
        return getattr(asyncio.get_event_loop(), name)
    if where == "Task":
        return getattr(
            asyncio.create_task(_nap()), name
        )  # (dropped by the next test's fresh loop)
    if where:
        # Stream, Server: what their instances' __getattr__ asks
        return asyncio._kernel.resolve(where, name)
    return getattr(asyncio, name)


def _tiers():
    # tier -> (present names, absent names)
    found = {}
    for tier, where, name in _registry():
        present, absent = found.setdefault(tier, ([], []))
        label = where + "." + name if where else name
        try:
            hwtest.true(_get(where, name) is not None, label + " is something")
            present.append(label)
        except AttributeError as e:
            if where == "Task":
                absent.append(label)  # (the core's own AttributeError)
            else:
                hwtest.true("built without" in str(e), "clear message for %s: %s" % (label, e))
                absent.append(label)
    return found


def test_registry_names_resolve_by_whole_tiers():
    found = _tiers()
    hwtest.eq(sorted(found), ["all", "core", "cpython"], "tiers")
    held = []
    for tier in ("core", "cpython", "all"):
        present, absent = found[tier]
        hwtest.true(
            not present or not absent, "tier %s whole or absent: missing %r" % (tier, absent)
        )
        if present:
            held.append(tier)
    hwtest.eq(held, ["core", "cpython", "all"][: len(held)], "tiers held come in order")
    hwtest.true("core" in held, "the documented core is always there")


def test_loop_and_task_methods_are_callable_where_held():
    for _tier, where, name in _registry():
        if where:
            try:
                fn = _get(where, name)
            except AttributeError:
                continue
            hwtest.true(callable(fn), "%s.%s callable" % (where, name))


def test_unknown_name():
    e = hwtest.raises(AttributeError, getattr, asyncio, "NoSuchThing")
    hwtest.true("built without" not in str(e), "plain AttributeError for unknown names")
    hwtest.raises(AttributeError, getattr, asyncio.get_event_loop(), "no_such_method")


hwtest.main()

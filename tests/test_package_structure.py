"""How the package is put together, read from its source:
- the registry (_LAZY in __init__.py) lists every module once and every
  registered name is defined where it says; the manifest freezes from it;
- the first module of each tier imports nothing beyond its tier and those
  before it (the package imports it to tell whether an image holds a tier);
- imports, deferred ones and the loader's included, point one way only:
  the graph has no cycle;
- only the core reads the clock (the test clock replaces that one thing).
"""

import ast
import re

from firmware.paths import ROOT as PROJECT

PACKAGE = PROJECT / "frozen/asyncio"
TIERS = ("core", "cpython", "all")
CLOCK_READERS = {
    "ticks_ms",
    "ticks_us",
    "ticks_cpu",
    "time",
    "time_ns",
    "monotonic",
    "localtime",
    "gmtime",
}


def registry():
    """[(tier, module, [names])] in the registry's order."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    lazy = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "_LAZY"
    )
    out, tier, tokens = [], "core", iter(lazy.split())
    for token in tokens:
        if token == "|":
            tier = next(tokens)
        elif token.endswith(":"):
            out.append((tier, token[:-1], []))
        else:
            out[-1][2].append(token)
    return out


def modules():
    return {p.stem: ast.parse(p.read_text()) for p in PACKAGE.glob("*.py") if p.stem != "manifest"}


def edges(tree):
    """Modules of the package this one imports or loads, anywhere in it."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module)
            else:
                found.update(a.name for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "load"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def test_registry_lists_every_module_once_and_what_they_define():
    listed = [m for _, m, _ in registry()]
    assert len(listed) == len(set(listed)), "a module listed twice"
    on_disk = set(modules()) - {"__init__", "_kernel", "_fallback"}
    assert set(listed) == on_disk, (
        f"unlisted {sorted(on_disk - set(listed))}, missing {sorted(set(listed) - on_disk)}"
    )
    trees = modules()
    for _, module, names in registry():
        defined = set()
        for node in _top_level(trees[module].body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                defined.update(a.asname or a.name for a in node.names)
        for name in names:
            attr = name.split(".")[-1]
            assert attr == module or attr in defined, (
                f"{name} is registered to {module}, which does not define it"
            )


def _top_level(body):
    # Statements at module level, also inside try/except, else and if.
    for node in body:
        yield node
        for part in ("body", "orelse", "finalbody"):
            if isinstance(node, (ast.Try, ast.If)):
                yield from _top_level(getattr(node, part, []))
        for handler in getattr(node, "handlers", []):
            yield from _top_level(handler.body)


def test_tiers_come_in_order_and_each_opens_with_a_module_that_tells():
    reg = registry()
    tiers = [t for t, _, _ in reg]
    assert [t for i, t in enumerate(tiers) if i == 0 or t != tiers[i - 1]] == list(TIERS)
    tier_of = {m: t for t, m, _ in reg}
    tier_of.update({"_kernel": "core", "__init__": "core", "_fallback": "core"})
    trees = modules()
    for tier in TIERS[1:]:
        first = next(m for t, m, _ in reg if t == tier)
        beyond = {m for m in edges(trees[first]) if TIERS.index(tier_of[m]) > TIERS.index(tier)}
        assert not beyond, f"{first} opens tier {tier} but imports {beyond} of a later tier"


def test_manifest_freezes_by_the_registry():
    text = (PACKAGE / "manifest.py").read_text()
    assert "_LAZY" in text and "registry_modules()" in text
    # (__init__ and _kernel are always frozen, _fallback without the C core;
    # uasyncio is the compat alias)
    named = set(re.findall(r'"(\w+)\.py"', text)) - {
        "__init__",
        "_kernel",
        "_fallback",
        "uasyncio",
    }
    assert not named, f"the manifest names {named} itself instead of reading the registry"


def test_imports_have_no_cycle():
    graph = {name: edges(tree) - {name} for name, tree in modules().items()}
    graph.pop("__init__")  # (the package's face: it may load anything)
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt) :] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_only_the_core_reads_the_clock():
    for name, tree in modules().items():
        if name == "_fallback":
            continue  # the Python core: the one reader
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("time", "utime"):
                read = {a.name for a in node.names} & CLOCK_READERS
                assert not read, (
                    f"{name}.py imports {read} from time: ask the core (_core.ticks())"
                )
            if (
                isinstance(node, ast.Attribute)
                and node.attr in CLOCK_READERS
                and isinstance(node.value, ast.Name)
                and node.value.id in ("time", "utime")
            ):
                raise AssertionError(
                    f"{name}.py reads time.{node.attr}(): ask the core (_core.ticks())"
                )

"""The primitives and threadsafe packages (micropython-async v3's names, on
our asyncio), read from their source:
- every name the primitives registry (_NAMES in __init__.py) lists is
  defined by the module it names, or is our asyncio's own (registered there);
- every public name of micropython-async v3's two packages that issue 18
  asks for is there;
- only asyncio's core reads the clock (so they run on the test clock);
- the top-level manifest freezes them behind ASYNCIO_PRIMITIVES, and each
  package's manifest freezes every module but itself.
"""

import ast

from firmware.paths import ROOT as PROJECT
from tests.test_package_structure import CLOCK_READERS, registry

PRIMITIVES = PROJECT / "frozen/primitives"
THREADSAFE = PROJECT / "frozen/threadsafe"
WANTED = {
    "primitives": """Switch ESwitch Pushbutton EButton ESP32Touch RP2Touch Keyboard SwArray
        Encoder AADC WaitAny WaitAll ELO launch set_global_exception Delay_ms Message Broker
        broker RegExp Agent RingbufQueue Queue Semaphore BoundedSemaphore Barrier Condition
        ThreadSafeQueue ThreadSafeEvent""",
    "threadsafe": "Message ThreadSafeEvent ThreadSafeQueue",
}


def defined(tree):
    """Names a module binds at its top level (classes, functions, assignments, imports)."""
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update(a.asname or a.name for a in node.names)
    return out


def names_of(folder, var="_NAMES"):
    tree = ast.parse((folder / "__init__.py").read_text())
    value = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == var
    )
    return tree, value


def primitives_registry():
    """{name: module} from primitives' _NAMES."""
    _, text = names_of(PRIMITIVES)
    out, home = {}, None
    for token in text.split():
        if token.endswith(":"):
            home = token[:-1]
        else:
            assert token not in out, f"{token} registered twice"
            out[token] = home
    return out


def asyncio_names():
    return {name for _, _, names in registry() for name in names}


def test_registered_names_are_defined_where_the_registry_says():
    theirs = asyncio_names()
    for name, home in primitives_registry().items():
        if home == "asyncio":
            assert name in theirs, f"primitives: {name} is not in asyncio's registry"
        else:
            tree = ast.parse((PRIMITIVES / f"{home}.py").read_text())
            assert name in defined(tree), f"primitives/{home}.py does not define {name}"


def test_every_wanted_name_is_there():
    init, _ = names_of(PRIMITIVES)
    have = set(primitives_registry()) | defined(init)
    missing = set(WANTED["primitives"].split()) - have
    assert not missing, f"primitives lacks {sorted(missing)}"
    _, names = names_of(THREADSAFE)
    assert set(names) == set(WANTED["threadsafe"].split())
    assert set(names) <= asyncio_names()


def test_only_the_core_reads_the_clock():
    for path in [*PRIMITIVES.glob("*.py"), *THREADSAFE.glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("time", "utime"):
                read = {a.name for a in node.names} & CLOCK_READERS
                assert not read, f"{path.name} imports {read} from time: ask asyncio's core"
            if (
                isinstance(node, ast.Attribute)
                and node.attr in CLOCK_READERS
                and isinstance(node.value, ast.Name)
                and node.value.id in ("time", "utime")
            ):
                raise AssertionError(f"{path.name} reads time.{node.attr}(): ask asyncio's core")


def test_manifests():
    top = (PROJECT / "manifest.py").read_text()
    assert 'include("frozen/primitives")' in top and 'include("frozen/threadsafe")' in top
    assert "ASYNCIO_PRIMITIVES" in top
    for folder in (PRIMITIVES, THREADSAFE):
        text = (folder / "manifest.py").read_text()
        assert 'f != "manifest.py"' in text and f'package("{folder.name}", files' in text


def test_size_report_names_the_primitives_cost(monkeypatch, capsys):
    from firmware import size

    without, with_them = size.PRIMITIVES_ROWS
    flashes = (("core (C module)", 100), (without, 500), (with_them, 800))
    rows = [(label, {}, flash, 0) for label, flash in flashes]
    base = {"text": 1, "data": 2, "bss": 3}
    monkeypatch.setattr(size, "measure", lambda board, log: (base, rows))
    size.report("QEMU_MPS2_AN385")
    out = capsys.readouterr().out.splitlines()
    line = next(ln for ln in out if ln.startswith("of which primitives"))
    assert line.split()[3:5] == ["300", "B"]
    row = next(ln for ln in out if ln.startswith("core (C module)"))
    assert line.index(" B ") == row.index(" B "), "in the flash column"
    assert [kw for label, kw in size.OPTIONS if label == size.PRIMITIVES_ROWS[0]] == [
        {"extras": "all", "primitives": False}
    ]

"""The two cores keep one contract (c_modules/_asyncio/CONTRACT.md): the
C module's globals and the Python twin's public names are exactly its
rows, and the ABI number is the same everywhere it is written."""

import ast
import re
import subprocess

import pytest

from firmware.paths import ROOT as PROJECT

CONTRACT = PROJECT / "c_modules/_asyncio/CONTRACT.md"
MODULE_C = PROJECT / "c_modules/_asyncio/module.c"
CORE_H = PROJECT / "c_modules/_asyncio/core.h"
FALLBACK = PROJECT / "frozen/asyncio/_fallback.py"
KERNEL = PROJECT / "frozen/asyncio/_kernel.py"
HOOKS_NOTE = re.compile(r"^`(\w+)`(?:, `(\w+)`)*(?: and `(\w+)`)? are the extras' hooks", re.M)


def contract():
    """(abi, entry names, names of the extras' hooks)"""
    text = CONTRACT.read_text()
    abi = int(re.search(r"^ABI: (\d+)$", text, re.M).group(1))
    names = set()
    for cell in re.findall(r"^\| (`[^|]+`) \|", text, re.M):
        for entry in re.findall(r"`(\w+)", cell):
            names.add(entry)
    note = text[text.index("are the extras' hooks") - 200 : text.index("are the extras' hooks")]
    hooks = set(re.findall(r"`(\w+)`", note.split("\n\n")[-1]))
    return abi, names, hooks


def c_globals():
    """(all names, names under #if AIO_EXTRAS_HOOKS) of module.c's globals table"""
    text = MODULE_C.read_text()
    table = text[
        text.index("asyncio_globals_table[] = {") : text.index(
            "};", text.index("asyncio_globals_table[] = {")
        )
    ]
    names, hooks, in_hooks = set(), set(), False
    for line in table.splitlines():
        if "#if AIO_EXTRAS_HOOKS" in line:
            in_hooks = True
        elif "#endif" in line:
            in_hooks = False
        for name in re.findall(r"MP_ROM_QSTR\(MP_QSTR_(\w+)\), MP_ROM_", line):
            if name not in ("__name__", "__init__"):
                names.add(name)
                if in_hooks:
                    hooks.add(name)
    return names, hooks


def fallback_names():
    names = set()
    for node in ast.parse(FALLBACK.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def test_contract_lists_what_the_c_module_offers():
    _, names, hooks = contract()
    c_names, c_hooks = c_globals()
    assert c_names == names, (
        f"module.c has {sorted(c_names - names)} beyond, lacks {sorted(names - c_names)}"
    )
    assert c_hooks == hooks, (
        f"hooks in module.c {sorted(c_hooks)}, in the contract {sorted(hooks)}"
    )


def test_contract_lists_what_the_python_core_offers():
    _, names, _ = contract()
    py = fallback_names()
    assert py == names, f"_fallback.py has {sorted(py - names)} beyond, lacks {sorted(names - py)}"


def test_one_abi_number():
    abi, _, _ = contract()
    assert re.search(r"#define CORE_ABI \((\d+)\)", CORE_H.read_text()).group(1) == str(abi)
    assert re.search(r"^CORE_ABI = (\d+)$", FALLBACK.read_text(), re.M).group(1) == str(abi)
    assert re.search(r'getattr\(_core, "CORE_ABI", None\) != (\d+)', KERNEL.read_text()).group(
        1
    ) == str(abi)


def test_one_limit_of_kept_sockets():
    # The C core drops kept sockets past IO_MAX_IDLE itself; _kernel past
    # _MAX_IDLE: one number.
    c = re.search(r"#define IO_MAX_IDLE \((\d+)\)", CORE_H.read_text()).group(1)
    py = re.search(r"^_MAX_IDLE = const\((\d+)\)$", KERNEL.read_text(), re.M).group(1)
    assert c == py


@pytest.mark.parametrize(
    "image, module",
    [
        ("firmware/images/UNIX/micropython", "_asyncio"),
        ("firmware/images/UNIX-pyonly/micropython", "asyncio._fallback"),
    ],
)
def test_built_cores_offer_the_contract(image, module):
    # What the built images hold, not only what the sources say.
    path = PROJECT / image
    if not path.is_file():
        pytest.skip(f"no {image}: run make test-images")
    _, names, _ = contract()
    # (`from micropython import const` leaves `const` behind: the compiler
    # needs that very name for const().)
    code = (
        f"import {module} as m\n"
        "print(' '.join(sorted(n for n in dir(m) if not n.startswith('_') and n != 'const')))"
    )
    run = subprocess.run([str(path), "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert set(run.stdout.split()) == names

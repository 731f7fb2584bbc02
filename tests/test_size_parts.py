# Which frozen module a frozen_content.c symbol is counted against, for
# `python3 -m firmware size --parts` (names as MicroPython 1.25 makes them).
from firmware.size_parts import symbol_owner

MODULES = [
    "asyncio/__init__.py",
    "asyncio/_kernel.py",
    "asyncio/_loop.py",
    "asyncio/core.py",
    "uasyncio.py",
]


def test_a_class_of_a_module_counts_for_the_module():
    assert symbol_owner("children_asyncio__kernel__IO", MODULES) == "asyncio/_kernel.py"
    assert symbol_owner("fun_data_asyncio__loop_Loop___getattr__", MODULES) == "asyncio/_loop.py"


def test_the_package_init_is_told_from_its_modules():
    assert symbol_owner("const_obj_asyncio___init___0", MODULES) == "asyncio/__init__.py"
    assert (
        symbol_owner("children_asyncio___init____lt_module_gt_", MODULES) == "asyncio/__init__.py"
    )


def test_uasyncio_is_not_counted_as_an_asyncio_module():
    assert symbol_owner("children_uasyncio__lt_module_gt_", MODULES) == "uasyncio.py"
    assert symbol_owner("fun_data_asyncio_core__lt_module_gt_", MODULES) == "asyncio/core.py"


def test_symbols_of_no_listed_module_belong_to_none():
    assert symbol_owner("mp_qstr_frozen_const_pool", MODULES) is None
    assert symbol_owner("fun_data__buildinfo__lt_module_gt_", MODULES) is None

# Importing the C core module again, in any order and from anywhere, leaves
# the running package alone. MicroPython runs a built-in module's __init__
# on every import; ours used to reset the scheduler there, so `import
# asyncio, _asyncio` broke the next run() with "asyncio core not
# initialised" (stock works either way). The order across a soft reset is
# checked on QEMU by tests/test_core_soft_reset_qemu.py.
import hwtest
from hwtest import eq

hwtest.require("micropython")
import sys  # noqa: E402  (imports follow the file's feature checks)
import asyncio  # noqa: E402  (imports follow the file's feature checks)


def _core_module():
    try:
        import _asyncio
    except ImportError:
        raise hwtest.Skip("no _asyncio on this image (pure-Python core)")  # noqa: B904  (MicroPython code: no exception chaining)
    return _asyncio


async def _value(x):
    await asyncio.sleep_ms(0)
    return x


async def _nap():
    await asyncio.sleep_ms(5)


def test_core_imported_after_the_package():
    _core_module()
    eq(asyncio.run(asyncio.gather(_value(1), _value(2))), [1, 2], "gather after `import _asyncio`")


def test_core_imported_inside_a_running_task():
    _core_module()

    async def main():
        other = asyncio.create_task(_value("other"))
        import _asyncio  # noqa: F401

        await asyncio.sleep_ms(1)
        return await other, asyncio.current_task() is not None

    eq(asyncio.run(main()), ("other", True), "the run that imported it")
    eq(asyncio.run(_value(3)), 3, "the next run")


def test_core_imported_with_an_empty_sys_path():
    # An empty sys.path makes MicroPython skip sys.modules and go straight to
    # the built-in, so __init__ runs again.
    _core_module()
    saved = sys.path[:]
    sys.path.clear()
    try:
        import _asyncio  # noqa: F401
    finally:
        sys.path.extend(saved)
    eq(asyncio.run(asyncio.gather(_value(4))), [4], "gather after the import")


def test_tasks_parked_across_the_import_finish():
    _core_module()
    ev = asyncio.Event()

    async def waiter():
        await ev.wait()
        return "woken"

    async def main():
        w = asyncio.create_task(waiter())
        s = asyncio.create_task(_nap())
        await asyncio.sleep_ms(0)
        import _asyncio  # noqa: F401

        ev.set()
        await s
        return await w

    eq(asyncio.run(main()), "woken", "a waiter parked before the import")


hwtest.main()

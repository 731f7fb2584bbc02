"""A soft reset wipes the heap that held the C core's scheduler state: on the
emulated board, the core must forget it rather than read freed memory."""

import json

import pytest

from firmware import boards
from firmware.imagecheck import DEFAULT_IMAGES_ROOT
from firmware.serial_repl import Session

IMAGE = DEFAULT_IMAGES_ROOT / "QEMU_MPS2_AN385"


@pytest.fixture(scope="module")
def board():
    manifest_path = IMAGE / "manifest.json"
    if not (IMAGE / "firmware.elf").is_file() or not manifest_path.is_file():
        pytest.skip("no QEMU image (make firmware BOARD=QEMU_MPS2_AN385)")
    manifest = json.loads(manifest_path.read_text())
    if not manifest.get("asyncio_c", True):
        pytest.skip("image without the _asyncio C module")
    from firmware.emulator import start_qemu

    with start_qemu(boards.get(manifest["board"]), IMAGE / "firmware.elf") as emulated:
        session = Session(emulated.port)
        session.enter_raw_repl()
        try:
            yield session
        finally:
            session.close()


def _run(session, source):
    run = session.exec(source, timeout=20)
    assert not run.timed_out and not run.error, run.error
    return run.output.decode().replace("\r\n", "\n")


# Leaves a task and a timer behind, so the old state points at live-looking data.
USE_ASYNCIO = """
import asyncio
async def main():
    asyncio.create_task(asyncio.sleep_ms(50000))
    await asyncio.sleep_ms(1)
asyncio.run(main())
print("used")
"""

PROBE = """
import _asyncio
for probe in (_asyncio.current, _asyncio.next_due):
    try:
        print("got", probe())
    except RuntimeError as e:
        print("RuntimeError:", e)
import asyncio
async def main():
    await asyncio.sleep_ms(1)
    return asyncio.current_task() is not None
print("runs again:", asyncio.run(main()))
"""


def test_core_state_is_forgotten_after_soft_reset(board):
    assert _run(board, USE_ASYNCIO) == "used\n"
    board.soft_reset()
    assert _run(board, PROBE) == (
        "RuntimeError: asyncio core not initialised\n"
        "RuntimeError: asyncio core not initialised\n"
        "runs again: True\n"
    )


# After a soft reset, in every order: the core module before the package,
# after it, and again inside a running task; then once more across a reset
# with tasks left parked in the core's queues.
ORDERS = {
    "core first": "import _asyncio\nimport asyncio\n",
    "package first": "import asyncio, _asyncio\n",
    "package only": "import asyncio\n",
}
GATHER = """
async def value(x):
    await asyncio.sleep_ms(1)
    return x
async def main():
    import _asyncio
    got = await asyncio.gather(value(1), value(2))
    asyncio.create_task(asyncio.sleep_ms(50000))
    return got
print(asyncio.run(main()), asyncio.run(value(3)))
"""


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_any_import_order_after_soft_reset(board, order):
    for _ in range(2):
        board.soft_reset()
        assert _run(board, ORDERS[order] + GATHER) == "[1, 2] 3\n"

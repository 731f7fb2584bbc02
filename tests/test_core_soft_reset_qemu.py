"""A soft reset wipes the heap that held the C core's scheduler state: on the
emulated boards (QEMU, and the Pico in rp2040js), the core must forget it rather
than read freed memory."""

import json

import pytest

from firmware import boards
from firmware.imagecheck import DEFAULT_IMAGES_ROOT
from firmware.serial_repl import Session

BOARDS = {"QEMU_MPS2_AN385": "firmware.elf", "RPI_PICO": "firmware.uf2"}


@pytest.fixture(scope="module", params=sorted(BOARDS))
def board(request):
    folder = DEFAULT_IMAGES_ROOT / request.param
    image = folder / BOARDS[request.param]
    manifest_path = folder / "manifest.json"
    if not image.is_file() or not manifest_path.is_file():
        pytest.skip(f"no {request.param} image (make firmware BOARD={request.param})")
    manifest = json.loads(manifest_path.read_text())
    if not manifest.get("asyncio_c", True):
        pytest.skip("image without the _asyncio C module")
    from firmware.emulator import start_qemu, start_rp2040js
    from firmware.errors import ToolchainMissing

    board = boards.get(manifest["board"])
    try:
        emulated = (
            start_rp2040js(board, image)
            if board.runs_here == "rp2040js"
            else start_qemu(board, image)
        )
    except ToolchainMissing as e:
        pytest.skip(str(e))
    with emulated:
        session = Session(emulated.port)
        session.enter_raw_repl(timeout=30)
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

# Frozen content of every image we build with our asyncio (FROZEN_MANIFEST).
#
# Our asyncio package, then the board's usual frozen modules from
# boards/<BOARD>/manifest.py, which leave out upstream's extmod/asyncio.
# The firmware tool sets these environment variables (defaults in brackets):
#   ASYNCIO_EXTRAS     how much beyond the documented core to freeze: core | cpython | all [all]
#   ASYNCIO_C          1 when the image has our _asyncio C module, so the package's
#                      pure-Python twin of it can stay out of flash [0]
#   ASYNCIO_MPY_LIB    1 when micropython-lib is at hand for require() [1]
#   ASYNCIO_BUILDINFO  folder holding the generated _buildinfo.py (build id) [none]
import os

include(
    "frozen/asyncio",
    extras=os.environ.get("ASYNCIO_EXTRAS", "all"),
    c_core_only=os.environ.get("ASYNCIO_C", "0") == "1",
)
include(
    "$(BOARD_DIR)/manifest.py",
    micropython_lib=os.environ.get("ASYNCIO_MPY_LIB", "1") == "1",
)
if os.environ.get("ASYNCIO_BUILDINFO"):
    freeze(os.environ["ASYNCIO_BUILDINFO"], "_buildinfo.py")

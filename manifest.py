# Frozen content of every image we build (FROZEN_MANIFEST): an asyncio
# package, the board's usual frozen modules from boards/<BOARD>/manifest.py
# (which leave out upstream's extmod/asyncio) and the build id. Stock and
# bare images differ from ours in the package alone, so `make size` and the
# benchmarks compare asyncio with asyncio.
# The firmware tool sets these environment variables (defaults in brackets):
#   ASYNCIO_PACKAGE    ours | stock (upstream's extmod/asyncio) | none [ours]
#   ASYNCIO_EXTRAS     how much beyond the documented core to freeze: core | cpython | all [all]
#   ASYNCIO_C          1 when the image has our _asyncio C module, so the package's
#                      pure-Python twin of it can stay out of flash [0]
#   ASYNCIO_MPY_LIB    1 when micropython-lib is at hand for require() [1]
#   ASYNCIO_BUILDINFO  folder holding the generated _buildinfo.py (build id) [none]
#   ASYNCIO_PRIMITIVES 1 to freeze frozen/primitives and frozen/threadsafe (micropython-async
#                      v3's package names, on our asyncio; need ASYNCIO_EXTRAS=all) [1]
import os

package = os.environ.get("ASYNCIO_PACKAGE", "ours")
if package == "ours":
    include(
        "frozen/asyncio",
        extras=os.environ.get("ASYNCIO_EXTRAS", "all"),
        c_core_only=os.environ.get("ASYNCIO_C", "0") == "1",
    )
    if (
        os.environ.get("ASYNCIO_PRIMITIVES", "1") == "1"
        and os.environ.get("ASYNCIO_EXTRAS", "all") == "all"
    ):
        include("frozen/primitives")
        include("frozen/threadsafe")
elif package == "stock":
    include("$(MPY_DIR)/extmod/asyncio")
elif package != "none":
    raise ValueError("ASYNCIO_PACKAGE must be ours, stock or none, not %r" % (package,))
include(
    "$(BOARD_DIR)/manifest.py",
    micropython_lib=os.environ.get("ASYNCIO_MPY_LIB", "1") == "1",
)
if os.environ.get("ASYNCIO_BUILDINFO"):
    freeze(os.environ["ASYNCIO_BUILDINFO"], "_buildinfo.py")

# Upstream's asyncio, as stock unix freezes it.
include("$(MPY_DIR)/extmod/asyncio")

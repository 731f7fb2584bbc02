# Upstream's asyncio, as a stock image with a clock would freeze it.
include("$(MPY_DIR)/extmod/asyncio")

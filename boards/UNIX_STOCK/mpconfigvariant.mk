# Baseline for benchmarks: the firmware tool passes our top-level manifest with
# ASYNCIO_PACKAGE=stock (upstream's extmod/asyncio instead of ours).

# Baseline for benchmarks: the firmware tool passes this folder's manifest.py.

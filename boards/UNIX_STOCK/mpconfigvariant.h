// Baseline for benchmarks: exactly upstream's standard variant, upstream asyncio included.
#include "ports/unix/variants/standard/mpconfigvariant.h"

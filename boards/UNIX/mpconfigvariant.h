// Our UNIX image: upstream's standard variant, with upstream's C `_asyncio` switched
// off because c_modules/_asyncio registers ours under the same name.
#include "ports/unix/variants/standard/mpconfigvariant.h"

#define MICROPY_PY_ASYNCIO (0)

// Pyboard v1.1: upstream's board header, with upstream's C `_asyncio` switched off
// because c_modules/_asyncio registers ours under the same name.
#include "ports/stm32/boards/PYBV11/mpconfigboard.h"

#define MICROPY_PY_ASYNCIO (0)

// Raspberry Pi Pico: upstream's board header, with upstream's C `_asyncio` switched
// off because c_modules/_asyncio registers ours under the same name.
#include "ports/rp2/boards/RPI_PICO/mpconfigboard.h"

#define MICROPY_PY_ASYNCIO (0)

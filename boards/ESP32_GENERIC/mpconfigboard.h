// ESP32 generic: upstream's board header, with upstream's C `_asyncio` switched off
// because c_modules/_asyncio registers ours under the same name.
#include "ports/esp32/boards/ESP32_GENERIC/mpconfigboard.h"

#define MICROPY_PY_ASYNCIO (0)

// ESP32_GENERIC without radios, for Espressif's QEMU: upstream's board header; no WLAN,
// ESP-NOW or Bluetooth (sdkconfig.qemu leaves their libraries out). Ours replaces
// upstream's C `_asyncio`, as on ESP32_GENERIC.
#define MICROPY_HW_BOARD_NAME "ESP32 under QEMU (no radio)"
#include "ports/esp32/boards/ESP32_GENERIC/mpconfigboard.h"

#define MICROPY_PY_ASYNCIO (0)
#define MICROPY_PY_NETWORK_WLAN (0)
#define MICROPY_PY_ESPNOW (0)
#define MICROPY_PY_BLUETOOTH (0)

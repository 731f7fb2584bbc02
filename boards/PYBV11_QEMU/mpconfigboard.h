// PYBV11 as QEMU's netduinoplus2 (the same STM32F405) can run it: upstream's PYBV11
// header, then off what the emulation lacks or would hang on. Ours replaces upstream's
// C `_asyncio`, as on PYBV11.
#include "ports/stm32/boards/PYBV11/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME "PYBv1.1 under QEMU netduinoplus2"

#define MICROPY_PY_ASYNCIO (0)

// The REPL on USART1 (QEMU's first -serial): there is no USB.
#define MICROPY_HW_UART_REPL PYB_UART_1
#define MICROPY_HW_UART_REPL_BAUD 115200
#undef MICROPY_HW_ENABLE_USB
#define MICROPY_HW_ENABLE_USB (0)

// No RCC model: the RTC's and LSE's ready bits never come, nor does a clock saved in
// an RTC backup register.
#undef MICROPY_HW_ENABLE_RTC
#define MICROPY_HW_ENABLE_RTC (0)
#undef MICROPY_HW_RTC_USE_LSE
#define MICROPY_HW_RTC_USE_LSE (0)
#undef MICROPY_HW_CLK_LAST_FREQ
#define MICROPY_HW_CLK_LAST_FREQ (0)

// GPIO reads 0: the USR switch would look held at reset (and enter the reset-mode menu).
#undef MICROPY_HW_HAS_SWITCH
#define MICROPY_HW_HAS_SWITCH (0)
// No I2C device answers, no SD card, no flash model to keep a filesystem in (both
// settings: the first alone leaves pyb.Flash's type undefined).
#undef MICROPY_HW_HAS_MMA7660
#define MICROPY_HW_HAS_MMA7660 (0)
#undef MICROPY_HW_ENABLE_SDCARD
#define MICROPY_HW_ENABLE_SDCARD (0)
#undef MICROPY_HW_HAS_FLASH
#define MICROPY_HW_HAS_FLASH (0)
#undef MICROPY_HW_ENABLE_INTERNAL_FLASH_STORAGE
#define MICROPY_HW_ENABLE_INTERNAL_FLASH_STORAGE (0)

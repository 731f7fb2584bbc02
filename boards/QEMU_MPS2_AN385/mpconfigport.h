// The qemu port's settings with what our asyncio needs on top (see mpconfigboard.mk
// for why this file is found before ports/qemu/mpconfigport.h).
#include "ports/qemu/mpconfigport.h"

#if BOARD_OWN_TICKS
// board_ticks.c gives a 1 ms SysTick clock, so time, select and asyncio can work.
#undef MICROPY_PY_TIME
#define MICROPY_PY_TIME (1)
#define MICROPY_PY_TIME_TIME_TIME_NS (1)
#define MICROPY_PY_TIME_INCLUDEFILE "board_modtime.c"
#undef MICROPY_PY_SELECT
#define MICROPY_PY_SELECT (1)
void board_ticks_init(void);
#define MICROPY_PORT_INIT_FUNC board_ticks_init()
// Sleep until the next interrupt (at most 1 ms: the SysTick) instead of spinning, so
// an idle emulator leaves the host's CPU to other work.
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) __asm volatile ("wfi")
// machine.lightsleep(ms), tickless (board_ticks.c): what asyncio.low_power() calls.
extern const struct _mp_obj_fun_builtin_var_t board_lightsleep_obj;
#define MICROPY_PY_MACHINE_EXTRA_GLOBALS \
    { MP_ROM_QSTR(MP_QSTR_lightsleep), MP_ROM_PTR(&board_lightsleep_obj) },
#endif

#if BOARD_UPSTREAM_ASYNCIO
// Stock baseline image: upstream's C _asyncio (the port switches it off by default).
#undef MICROPY_PY_ASYNCIO
#define MICROPY_PY_ASYNCIO (1)
#endif

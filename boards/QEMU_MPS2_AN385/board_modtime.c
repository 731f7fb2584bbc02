// Included by extmod/modtime.c (MICROPY_PY_TIME_INCLUDEFILE): time.time() for a board
// with no real-time clock counts seconds from boot, like time.time_ns().
#include "py/mphal.h"

static mp_obj_t mp_time_time_get(void) {
    // 32-bit division on purpose: a 64-bit one links libgcc code whose unwind
    // tables (.ARM.exidx) the port's linker script has no place for.
    return mp_obj_new_int_from_uint(mp_hal_ticks_ms() / 1000u);
}

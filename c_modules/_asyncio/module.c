// Module `_asyncio`: our C core. Registered only when built with
// ASYNCIO_C=1; the package falls back to its Python twin otherwise.
#include "core.h"

MP_DECLARE_CONST_FUN_OBJ_0(aio_run_one_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_run_ready_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR(aio_init_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_within_obj);
MP_DECLARE_CONST_FUN_OBJ_0(aio_current_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_set_main_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_spawn_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR(aio_pause_obj);
MP_DECLARE_CONST_FUN_OBJ_0(aio_resuming_obj);
MP_DECLARE_CONST_FUN_OBJ_0(aio_next_due_obj);
MP_DECLARE_CONST_FUN_OBJ_0(aio_ticks_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_result_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_watch_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_unwatch_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_outcome_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_failed_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_relay_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_unrelay_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_sleep_ms_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_sleep_ms_detach_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR(aio_io_wait_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_io_poll_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_extend_task_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_task_extra_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_set_task_extra_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_wait_on_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_wake_first_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_set_clock_obj);
MP_DECLARE_CONST_FUN_OBJ_0(aio_heap_tasks_obj);
MP_DECLARE_CONST_FUN_OBJ_2(aio_cancel_count_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_eager_obj);
MP_DECLARE_CONST_FUN_OBJ_1(aio_parked_obj);

#if MICROPY_MODULE_BUILTIN_INIT
extern const mp_obj_module_t our_asyncio_module;

// MicroPython calls a built-in module's __init__ on every import (built-ins
// are not kept in sys.modules), and our root pointers still point into the
// heap of the session before a soft reset. The loaded-modules dict is made
// anew by each soft reset: our entry in it says the state belongs to this
// session. So only the first import of a session forgets the state (until
// the package calls init() again), and we enter ourselves there, which
// also spares later imports this call.
static mp_obj_t aio_module_init(void) {
    mp_map_elem_t *e = mp_map_lookup(&MP_STATE_VM(mp_loaded_modules_dict).map,
        MP_OBJ_NEW_QSTR(MP_QSTR__asyncio), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
    if (e->value != MP_OBJ_FROM_PTR(&our_asyncio_module)) {
        e->value = MP_OBJ_FROM_PTR(&our_asyncio_module);
        MP_STATE_VM(our_asyncio_state) = NULL;
        #if AIO_EXTRAS_HOOKS
        MP_STATE_VM(our_asyncio_task_ext) = MP_OBJ_NULL;
        #endif
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(aio_module_init_obj, aio_module_init);
#endif

static const mp_rom_map_elem_t asyncio_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__asyncio) },
    #if MICROPY_MODULE_BUILTIN_INIT
    { MP_ROM_QSTR(MP_QSTR___init__), MP_ROM_PTR(&aio_module_init_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_CORE_ABI), MP_ROM_INT(CORE_ABI) },
    { MP_ROM_QSTR(MP_QSTR_Task), MP_ROM_PTR(&aio_task_type) },
    { MP_ROM_QSTR(MP_QSTR_Event), MP_ROM_PTR(&aio_event_type) },
    { MP_ROM_QSTR(MP_QSTR_Lock), MP_ROM_PTR(&aio_lock_type) },
    { MP_ROM_QSTR(MP_QSTR_ThreadSafeFlag), MP_ROM_PTR(&aio_flag_type) },
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&aio_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_current), MP_ROM_PTR(&aio_current_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_main), MP_ROM_PTR(&aio_set_main_obj) },
    { MP_ROM_QSTR(MP_QSTR_spawn), MP_ROM_PTR(&aio_spawn_obj) },
    { MP_ROM_QSTR(MP_QSTR_wake), MP_ROM_PTR(&aio_spawn_obj) },
    { MP_ROM_QSTR(MP_QSTR_pause), MP_ROM_PTR(&aio_pause_obj) },
    { MP_ROM_QSTR(MP_QSTR_resuming), MP_ROM_PTR(&aio_resuming_obj) },
    { MP_ROM_QSTR(MP_QSTR_run_one), MP_ROM_PTR(&aio_run_one_obj) },
    { MP_ROM_QSTR(MP_QSTR_run_ready), MP_ROM_PTR(&aio_run_ready_obj) },
    { MP_ROM_QSTR(MP_QSTR_next_due), MP_ROM_PTR(&aio_next_due_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks), MP_ROM_PTR(&aio_ticks_obj) },
    { MP_ROM_QSTR(MP_QSTR_result), MP_ROM_PTR(&aio_result_obj) },
    { MP_ROM_QSTR(MP_QSTR_watch), MP_ROM_PTR(&aio_watch_obj) },
    { MP_ROM_QSTR(MP_QSTR_unwatch), MP_ROM_PTR(&aio_unwatch_obj) },
    { MP_ROM_QSTR(MP_QSTR_outcome), MP_ROM_PTR(&aio_outcome_obj) },
    { MP_ROM_QSTR(MP_QSTR_failed), MP_ROM_PTR(&aio_failed_obj) },
    { MP_ROM_QSTR(MP_QSTR_relay), MP_ROM_PTR(&aio_relay_obj) },
    { MP_ROM_QSTR(MP_QSTR_unrelay), MP_ROM_PTR(&aio_unrelay_obj) },
    { MP_ROM_QSTR(MP_QSTR_sleep_ms), MP_ROM_PTR(&aio_sleep_ms_obj) },
    { MP_ROM_QSTR(MP_QSTR_sleep_ms_detach), MP_ROM_PTR(&aio_sleep_ms_detach_obj) },
    { MP_ROM_QSTR(MP_QSTR_within), MP_ROM_PTR(&aio_within_obj) },
    { MP_ROM_QSTR(MP_QSTR_io_wait), MP_ROM_PTR(&aio_io_wait_obj) },
    { MP_ROM_QSTR(MP_QSTR_io_poll), MP_ROM_PTR(&aio_io_poll_obj) },
    // hooks for the extras (hooks.c)
    #if AIO_EXTRAS_HOOKS
    { MP_ROM_QSTR(MP_QSTR_extend_task), MP_ROM_PTR(&aio_extend_task_obj) },
    { MP_ROM_QSTR(MP_QSTR_task_extra), MP_ROM_PTR(&aio_task_extra_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_task_extra), MP_ROM_PTR(&aio_set_task_extra_obj) },
    { MP_ROM_QSTR(MP_QSTR_wait_on), MP_ROM_PTR(&aio_wait_on_obj) },
    { MP_ROM_QSTR(MP_QSTR_wake_first), MP_ROM_PTR(&aio_wake_first_obj) },
    { MP_ROM_QSTR(MP_QSTR_heap_tasks), MP_ROM_PTR(&aio_heap_tasks_obj) },
    { MP_ROM_QSTR(MP_QSTR_cancel_count), MP_ROM_PTR(&aio_cancel_count_obj) },
    { MP_ROM_QSTR(MP_QSTR_eager), MP_ROM_PTR(&aio_eager_obj) },
    { MP_ROM_QSTR(MP_QSTR_parked), MP_ROM_PTR(&aio_parked_obj) },
    { MP_ROM_QSTR(MP_QSTR_IOCall), MP_ROM_PTR(&aio_iocall_type) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_set_clock), MP_ROM_PTR(&aio_set_clock_obj) },
};
static MP_DEFINE_CONST_DICT(asyncio_globals, asyncio_globals_table);

const mp_obj_module_t our_asyncio_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&asyncio_globals,
};

MP_REGISTER_MODULE(MP_QSTR__asyncio, our_asyncio_module);

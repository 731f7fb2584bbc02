// Extension points for the extras modules (frozen/asyncio/_hooks.py and
// the modules using it). None of them is on the hot path: the only cost
// there is the pointer check in aio_ticks() for set_clock(). Images built
// without the extras (ASYNCIO_EXTRAS=core) leave all but set_clock() out.
#include "core.h"

#if AIO_EXTRAS_HOOKS

// Methods the extras add to Task (name -> function), or NULL; looked up by
// the Task attr handler only after the core's own attributes miss.
MP_REGISTER_ROOT_POINTER(mp_obj_t our_asyncio_task_ext);

static aio_task_t *hook_task(mp_obj_t o) {
    if (!IS_TASK(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("Task expected"));
    }
    return TASK(o);
}

// extend_task(dict): Task attributes not found in the core are looked up
// here and bound to the task. A callable instead is asked for the dict (or
// None) on each such miss, so the extras load on first use and stay owned
// by sys.modules, not by this root pointer.
static mp_obj_t aio_extend_task(mp_obj_t methods) {
    if (!mp_obj_is_type(methods, &mp_type_dict) && !mp_obj_is_callable(methods)) {
        mp_raise_TypeError(MP_ERROR_TEXT("extend_task() needs a dict or a loader"));
    }
    MP_STATE_VM(our_asyncio_task_ext) = methods;
    return mp_const_true;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_extend_task_obj, aio_extend_task);

// The extension method `attr` of Task, or MP_OBJ_NULL.
mp_obj_t aio_task_ext_lookup(qstr attr) {
    mp_obj_t methods = MP_STATE_VM(our_asyncio_task_ext);
    if (methods == MP_OBJ_NULL) {
        return MP_OBJ_NULL;
    }
    if (!mp_obj_is_type(methods, &mp_type_dict)) {
        methods = mp_call_function_0(methods);
        if (!mp_obj_is_type(methods, &mp_type_dict)) {
            return MP_OBJ_NULL;
        }
    }
    mp_map_elem_t *e = mp_map_lookup(mp_obj_dict_get_map(methods), MP_OBJ_NEW_QSTR(attr), MP_MAP_LOOKUP);
    return e == NULL ? MP_OBJ_NULL : e->value;
}

static mp_obj_t aio_task_extra(mp_obj_t t) {
    return hook_task(t)->extra;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_task_extra_obj, aio_task_extra);

static mp_obj_t aio_set_task_extra(mp_obj_t t, mp_obj_t obj) {
    hook_task(t)->extra = obj;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_set_task_extra_obj, aio_set_task_extra);

// wait_on(t, w): park the not-yet-started task w on t's wait list, as if
// it awaited t, so it wakes with t's awaiters in their order.
static mp_obj_t aio_wait_on(mp_obj_t t_in, mp_obj_t w_in) {
    aio_task_t *t = hook_task(t_in);
    aio_task_t *w = hook_task(w_in);
    if (t->w != mp_const_none && !IS_TASK(t->w)) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("can't wait"));
    }
    aio_wl_push(t_in, w);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_wait_on_obj, aio_wait_on);

// wake_first(t): t runs next. Its ready stamp lies half the longest sleep
// back, so even timers that are already due wait behind it.
static mp_obj_t aio_wake_first(mp_obj_t t_in) {
    aio_task_t *t = hook_task(t_in);
    aio_state_t *s = aio_state();
    t->q = Q_READY;
    t->key = aio_ticks_add(aio_ticks(), -(CORE_MAX_MS / 2));
    t->next = s->rhead;
    if (s->rtail == NULL) {
        s->rtail = t;
    }
    s->rhead = t;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_wake_first_obj, aio_wake_first);

#endif // AIO_EXTRAS_HOOKS

// set_clock(fn): tests only (ticks wrap-around). The core reads fn() instead
// of the hardware clock until None is set or init() starts a fresh state.
static mp_obj_t aio_set_clock(mp_obj_t fn) {
    aio_state()->clock = fn == mp_const_none ? MP_OBJ_NULL : fn;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_set_clock_obj, aio_set_clock);

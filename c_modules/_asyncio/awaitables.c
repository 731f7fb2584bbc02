// Event, Lock, ThreadSafeFlag and sleep: awaitables that are their own
// iterators and keep per-wait state in the waiting task, so waiting never
// allocates.
#include "core.h"
#include "py/mperrno.h"
#include "py/stream.h"

static mp_obj_t return_self(mp_obj_t self_in) {
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(return_self_obj, return_self);

// ---- Event ----

static mp_obj_t event_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    aio_event_t *e = mp_obj_malloc(aio_event_t, type);
    e->w = mp_const_none;
    e->set = false;
    return MP_OBJ_FROM_PTR(e);
}

static mp_obj_t event_is_set(mp_obj_t self_in) {
    return mp_obj_new_bool(((aio_event_t *)MP_OBJ_TO_PTR(self_in))->set);
}
static MP_DEFINE_CONST_FUN_OBJ_1(event_is_set_obj, event_is_set);

static mp_obj_t event_set(mp_obj_t self_in) {
    aio_event_t *e = MP_OBJ_TO_PTR(self_in);
    e->set = true;
    for (aio_task_t *t; (t = aio_wl_pop(self_in)) != NULL;) {
        aio_ready(t);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(event_set_obj, event_set);

static mp_obj_t event_clear(mp_obj_t self_in) {
    ((aio_event_t *)MP_OBJ_TO_PTR(self_in))->set = false;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(event_clear_obj, event_clear);

static mp_obj_t event_iternext(mp_obj_t self_in) {
    aio_event_t *e = MP_OBJ_TO_PTR(self_in);
    aio_task_t *cur = aio_running();
    if (aio_coming_back(cur) || e->set) {
        return mp_make_stop_iteration(mp_const_true);
    }
    aio_wl_push(self_in, cur);
    cur->flags |= F_SUSPENDED;
    return mp_const_none;
}

static const mp_rom_map_elem_t event_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_is_set), MP_ROM_PTR(&event_is_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_set), MP_ROM_PTR(&event_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&event_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_wait), MP_ROM_PTR(&return_self_obj) },
};
static MP_DEFINE_CONST_DICT(event_locals, event_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    aio_event_type,
    MP_QSTR_Event,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, event_make_new,
    iter, event_iternext,
    locals_dict, &event_locals
    );

// ---- Lock ----

#define LOCK_FREE (MP_OBJ_NEW_SMALL_INT(0))
#define LOCK_HELD (MP_OBJ_NEW_SMALL_INT(1))

static mp_obj_t lock_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    aio_lock_t *l = mp_obj_malloc(aio_lock_t, type);
    l->w = mp_const_none;
    l->owner = LOCK_FREE;
    return MP_OBJ_FROM_PTR(l);
}

static mp_obj_t lock_locked(mp_obj_t self_in) {
    // False while being handed to a waiter that has not resumed, as in
    // CPython and upstream's tests/extmod/asyncio_lock.py; nobody can barge
    // in meanwhile all the same.
    return mp_obj_new_bool(((aio_lock_t *)MP_OBJ_TO_PTR(self_in))->owner == LOCK_HELD);
}
static MP_DEFINE_CONST_FUN_OBJ_1(lock_locked_obj, lock_locked);

static mp_obj_t lock_release(mp_obj_t self_in) {
    aio_lock_t *l = MP_OBJ_TO_PTR(self_in);
    if (l->owner != LOCK_HELD) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("Lock not acquired"));
    }
    aio_task_t *t = aio_wl_pop(self_in);
    if (t == NULL) {
        l->owner = LOCK_FREE;
    } else {
        // Hand the lock to the first waiter; nobody can barge in meanwhile.
        l->owner = MP_OBJ_FROM_PTR(t);
        aio_ready(t);
        t->reserved = self_in; // (free while t is in the ready FIFO)
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(lock_release_obj, lock_release);

void aio_lock_forfeit(aio_lock_t *l) {
    l->owner = LOCK_HELD;
    lock_release(MP_OBJ_FROM_PTR(l));
}

static mp_obj_t lock_iternext(mp_obj_t self_in) {
    aio_lock_t *l = MP_OBJ_TO_PTR(self_in);
    aio_task_t *cur = aio_running();
    if (aio_coming_back(cur)) {
        cur->reserved = MP_OBJ_NULL;
        l->owner = LOCK_HELD;
        return mp_make_stop_iteration(mp_const_true);
    }
    if (l->owner == LOCK_FREE) {
        l->owner = LOCK_HELD;
        return mp_make_stop_iteration(mp_const_true);
    }
    aio_wl_push(self_in, cur);
    cur->flags |= F_SUSPENDED;
    return mp_const_none;
}

static mp_obj_t lock_aexit(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    lock_release(args[0]);
    return MP_OBJ_FROM_PTR(&aio_done_obj);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(lock_aexit_obj, 4, 4, lock_aexit);

static const mp_rom_map_elem_t lock_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_locked), MP_ROM_PTR(&lock_locked_obj) },
    { MP_ROM_QSTR(MP_QSTR_acquire), MP_ROM_PTR(&return_self_obj) },
    { MP_ROM_QSTR(MP_QSTR_release), MP_ROM_PTR(&lock_release_obj) },
    { MP_ROM_QSTR(MP_QSTR___aenter__), MP_ROM_PTR(&return_self_obj) },
    { MP_ROM_QSTR(MP_QSTR___aexit__), MP_ROM_PTR(&lock_aexit_obj) },
};
static MP_DEFINE_CONST_DICT(lock_locals, lock_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    aio_lock_type,
    MP_QSTR_Lock,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, lock_make_new,
    iter, lock_iternext,
    locals_dict, &lock_locals
    );

// ---- ThreadSafeFlag ----
// Set from anywhere (IRQ, thread, scheduler callback), so set() only
// stores a byte; the loop learns of it by polling the flag as a stream.

static mp_obj_t flag_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    aio_flag_t *f = mp_obj_malloc(aio_flag_t, type);
    f->set = 0;
    return MP_OBJ_FROM_PTR(f);
}

static mp_obj_t flag_set(mp_obj_t self_in) {
    ((aio_flag_t *)MP_OBJ_TO_PTR(self_in))->set = 1;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_set_obj, flag_set);

static mp_obj_t flag_clear(mp_obj_t self_in) {
    ((aio_flag_t *)MP_OBJ_TO_PTR(self_in))->set = 0;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_clear_obj, flag_clear);

static mp_obj_t flag_is_set(mp_obj_t self_in) {
    return mp_obj_new_bool(((aio_flag_t *)MP_OBJ_TO_PTR(self_in))->set);
}
static MP_DEFINE_CONST_FUN_OBJ_1(flag_is_set_obj, flag_is_set);

static mp_obj_t flag_iternext(mp_obj_t self_in) {
    aio_flag_t *f = MP_OBJ_TO_PTR(self_in);
    #if MICROPY_ENABLE_SCHEDULER
    // An IRQ handler may have queued a micropython.schedule() callback that
    // sets this flag: run it now, as the VM would at its next check, rather
    // than park and wait for the poller to notice.
    if (MP_STATE_VM(sched_state) == MP_SCHED_PENDING) {
        mp_handle_pending(true);
    }
    #endif
    if (aio_coming_back(aio_running()) || f->set) {
        f->set = 0;
        return MP_OBJ_STOP_ITERATION;
    }
    // Park on the package's poller until the flag polls readable.
    aio_io_park(aio_state(), self_in, false);
    return mp_const_none;
}

static mp_uint_t flag_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    if (request == MP_STREAM_POLL) {
        return ((aio_flag_t *)MP_OBJ_TO_PTR(self_in))->set ? (arg & MP_STREAM_POLL_RD) : 0;
    }
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

static const mp_stream_p_t flag_stream_p = {
    .ioctl = flag_ioctl,
};

static const mp_rom_map_elem_t flag_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_set), MP_ROM_PTR(&flag_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&flag_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_is_set), MP_ROM_PTR(&flag_is_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_wait), MP_ROM_PTR(&return_self_obj) },
};
static MP_DEFINE_CONST_DICT(flag_locals, flag_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    aio_flag_type,
    MP_QSTR_ThreadSafeFlag,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, flag_make_new,
    iter, flag_iternext,
    protocol, &flag_stream_p,
    locals_dict, &flag_locals
    );

// ---- an awaitable that completes at once (Lock.__aexit__) ----

static mp_obj_t done_iternext(mp_obj_t self_in) {
    (void)self_in;
    return MP_OBJ_STOP_ITERATION;
}

MP_DEFINE_CONST_OBJ_TYPE(
    aio_done_type,
    MP_QSTR_Done,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, done_iternext
    );

const mp_obj_base_t aio_done_obj = { &aio_done_type };

// ---- sleep ----

static mp_obj_t sleep_iternext(mp_obj_t self_in) {
    aio_sleep_t *sl = MP_OBJ_TO_PTR(self_in);
    aio_task_t *cur = aio_running();
    if (aio_coming_back(cur)) {
        return MP_OBJ_STOP_ITERATION;
    }
    mp_int_t ms = sl->ms;
    sl->ms = -1;
    if (ms <= 0) {
        aio_ready(cur);
    } else {
        aio_timer_push(cur, aio_ticks_add(aio_ticks(), ms));
    }
    cur->flags |= F_SUSPENDED;
    return mp_const_none;
}

MP_DEFINE_CONST_OBJ_TYPE(
    aio_sleep_type,
    MP_QSTR_Sleep,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, sleep_iternext
    );

static mp_obj_t aio_sleep_ms(mp_obj_t ms_in) {
    if (!mp_obj_is_int(ms_in)) {
        mp_raise_TypeError(MP_ERROR_TEXT("sleep_ms() needs an int number of milliseconds"));
    }
    mp_int_t ms = mp_obj_get_int(ms_in);
    if (ms > CORE_MAX_MS) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("sleep_ms() duration too long"));
    }
    aio_sleep_t *sl = aio_state()->sleeper;
    if (sl->ms >= 0) {
        // The shared sleeper is armed but not awaited yet (sleeps collected
        // for gather() and the like): hand out a private one.
        sl = mp_obj_malloc(aio_sleep_t, &aio_sleep_type);
    }
    sl->ms = ms > 0 ? ms : 0;
    return MP_OBJ_FROM_PTR(sl);
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_sleep_ms_obj, aio_sleep_ms);

// The duration of an armed sleeper, disarming it; None for other objects.
static mp_obj_t aio_sleep_ms_detach(mp_obj_t s_in) {
    if (!mp_obj_is_type(s_in, &aio_sleep_type)) {
        return mp_const_none;
    }
    aio_sleep_t *sl = MP_OBJ_TO_PTR(s_in);
    mp_int_t ms = sl->ms;
    sl->ms = -1;
    return MP_OBJ_NEW_SMALL_INT(ms);
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_sleep_ms_detach_obj, aio_sleep_ms_detach);

// ---- io_wait: one wait of the package's streams ----

static mp_obj_t iowait_iternext(mp_obj_t self_in) {
    aio_iowait_t *w = MP_OBJ_TO_PTR(self_in);
    aio_task_t *cur = aio_running();
    if (aio_coming_back(cur)) {
        return MP_OBJ_STOP_ITERATION;
    }
    mp_obj_t s = w->s;
    w->s = MP_OBJ_NULL; // free again before park() can raise
    if (s == mp_const_none) {
        aio_ready(cur);
        cur->flags |= F_SUSPENDED;
    } else {
        aio_io_park(aio_state(), s, w->writing);
    }
    return mp_const_none;
}

MP_DEFINE_CONST_OBJ_TYPE(
    aio_iowait_type,
    MP_QSTR_IOWait,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, iowait_iternext
    );

// io_wait(s, writing, ready=False): see _fallback.py
static mp_obj_t aio_io_wait(size_t n_args, const mp_obj_t *args) {
    aio_state_t *st = aio_state();
    if (n_args > 2 && mp_obj_is_true(args[2]) && st->io_credit > 0) {
        st->io_credit--;
        return MP_OBJ_FROM_PTR(&aio_done_obj);
    }
    aio_iowait_t *w = st->iowait;
    if (w->s != MP_OBJ_NULL) {
        // The shared one is handed out and not awaited yet.
        w = mp_obj_malloc(aio_iowait_t, &aio_iowait_type);
    }
    w->s = args[0];
    w->writing = mp_obj_is_true(args[1]);
    return MP_OBJ_FROM_PTR(w);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(aio_io_wait_obj, 2, 3, aio_io_wait);

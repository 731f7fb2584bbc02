// wait_for() on an awaitable that is not a Task yet (a coroutine, Event.wait()
// ...): one small awaitable instead of a generator plus a relay task. The
// awaitable's Task is private, so this object can be its observer: the
// task's end wakes the waiting task out of its timed sleep directly.
//
// It is four words, one GC block on every port. Besides the RAM, that
// matters for speed: MicroPython 1.25's allocator starts each multi-block
// search at the heap's first free block and only a one-block allocation
// moves that mark forward, so a loop whose allocations are all multi-block
// rescans everything allocated since the last collection every time.
#include "core.h"

// stage
#define W_NEW (0)        // task: the awaitable; owner: timeout (ms or None)
#define W_TIMING (1)     // owner sleeps for the timeout; we observe task
#define W_AWAITING (2)   // owner waits on task's wait list (no timeout)
#define W_CANCELLING (3) // timed out: owner waits for the cancelled task
#define W_OVER (4)

typedef struct _aio_within_t {
    mp_obj_base_t base;
    mp_obj_t task;
    mp_obj_t owner; // the timeout until the first resume, then the waiting Task
    mp_uint_t stage;
} aio_within_t;

static mp_obj_t deliver(aio_within_t *w, aio_task_t *a) {
    w->stage = W_OVER;
    a->flags |= F_SEEN;
    if (a->flags & F_FAILED) {
        nlr_raise(a->q);
    }
    return mp_make_stop_iteration(a->q);
}

static mp_obj_t within_iternext(mp_obj_t self_in) {
    aio_within_t *w = MP_OBJ_TO_PTR(self_in);
    aio_state_t *s = aio_state();
    aio_task_t *cur = aio_running();
    if (w->stage == W_NEW) {
        // The Task is made here, not in wait_for(), so it starts when the
        // caller awaits, as a wait_for coroutine would make it.
        mp_obj_t timeout = w->owner;
        w->task = mp_call_function_1(s->create_task, w->task);
        w->owner = MP_OBJ_FROM_PTR(cur);
        aio_task_t *a = TASK(w->task);
        if (timeout == mp_const_none) {
            w->stage = W_AWAITING;
            aio_await_task(a, cur);
        } else {
            w->stage = W_TIMING;
            aio_task_watch(a, self_in);
            mp_int_t ms = MP_OBJ_SMALL_INT_VALUE(timeout);
            if (ms <= 0) {
                aio_ready(cur);
            } else {
                aio_timer_push(cur, aio_ticks_add(aio_ticks(), ms));
            }
        }
        cur->flags |= F_SUSPENDED;
        return mp_const_none;
    }
    if (w->stage == W_OVER) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("wait_for() awaited twice"));
    }
    cur->flags &= ~F_SUSPENDED;
    aio_task_t *a = TASK(w->task);
    if (w->stage == W_TIMING) {
        if (a->flags & F_DONE) {
            return deliver(w, a);
        }
        // Timed out: cancel the task and wait until it has unwound.
        aio_task_unwatch(a, self_in);
        aio_task_cancel(w->task, mp_const_none);
        w->stage = W_CANCELLING;
        aio_await_task(a, cur);
        cur->flags |= F_SUSPENDED;
        return mp_const_none;
    }
    if (w->stage == W_AWAITING) {
        return deliver(w, a);
    }
    w->stage = W_OVER;
    a->flags |= F_SEEN;
    nlr_raise(mp_make_raise_obj(s->timeout_error));
}

// The waiting task was cancelled while it slept for the timeout: cancel
// the awaitable's task too and let the CancelledError go on.
static mp_obj_t within_throw(size_t n_args, const mp_obj_t *args) {
    aio_within_t *w = MP_OBJ_TO_PTR(args[0]);
    mp_obj_t exc = n_args > 2 && args[2] != mp_const_none ? args[2] : args[1];
    if (w->stage == W_TIMING) {
        w->stage = W_OVER;
        aio_task_unwatch(TASK(w->task), args[0]);
        aio_task_cancel(w->task, mp_const_none);
    }
    nlr_raise(mp_make_raise_obj(exc));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(within_throw_obj, 2, 4, within_throw);

// Observer call from the task's finish(): wake the owner out of its sleep.
static mp_obj_t within_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    (void)n_args;
    (void)n_kw;
    (void)args;
    aio_within_t *w = MP_OBJ_TO_PTR(self_in);
    aio_task_t *owner = TASK(w->owner);
    if (w->stage == W_TIMING && owner->q == Q_TIMED) {
        aio_timer_remove(owner);
        owner->flags |= F_REQUEUE;
        aio_ready(owner);
    }
    return mp_const_none;
}

static const mp_rom_map_elem_t within_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&within_throw_obj) },
};
static MP_DEFINE_CONST_DICT(within_locals, within_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    aio_within_type,
    MP_QSTR_Within,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, within_iternext,
    call, within_call,
    locals_dict, &within_locals
    );

// within(aw, ms): the awaitable wait_for_ms(aw, ms) returns when aw is not a
// Task; ms is an int >= 0 or None (checked by the caller).
static mp_obj_t aio_within(mp_obj_t aw, mp_obj_t ms) {
    if (ms != mp_const_none && mp_obj_get_int(ms) > CORE_MAX_MS) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("wait_for() timeout too long"));
    }
    aio_within_t *w = mp_obj_malloc(aio_within_t, &aio_within_type);
    w->task = aw;
    w->owner = ms;
    w->stage = W_NEW;
    return MP_OBJ_FROM_PTR(w);
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_within_obj, aio_within);

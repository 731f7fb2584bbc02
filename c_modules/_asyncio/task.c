// The Task type and the scheduler step.
#include "py/gc.h"
#include "py/objgenerator.h"
#include "core.h"
#include "py/objlist.h"

// MicroPython's allocator starts each search at a hint that only a
// one-block allocation moves forward, and a collection puts it back at the
// heap's start (py/gc.c). A Task and a coroutine are both several blocks,
// so a loop that makes nothing else (create a task, await it) searched from
// the same spot every time: past everything allocated since, or past every
// one-block hole a collection left. Quadratic: 7x slower than stock over
// 20,000 tasks. So each new Task first takes one block: freed again when
// more free blocks follow it (the hint moves to them, and the Task uses
// them), kept when it fills a one-block hole no Task or coroutine could use
// (garbage until the next collection; the hint moves past it).
#if MICROPY_ENABLE_GC
static bool block_after_is_free(const byte *p) {
    for (mp_state_mem_area_t *area = &MP_STATE_MEM(area); area != NULL;) {
        if (p >= area->gc_pool_start && p < area->gc_pool_end) {
            size_t b = (p - area->gc_pool_start) / MICROPY_BYTES_PER_GC_BLOCK + 1;
            return b < area->gc_alloc_table_byte_len * 4 && aio_block_kind(area, b) == AIO_BLOCK_FREE;
        }
        #if MICROPY_GC_SPLIT_HEAP
        area = area->next;
        #else
        area = NULL;
        #endif
    }
    return false;
}
#endif

static void advance_alloc_hint(void) {
    #if MICROPY_ENABLE_GC
    byte *p = gc_alloc(1, 0);
    if (p != NULL && block_after_is_free(p)) {
        gc_free(p);
    }
    #endif
}

static aio_task_t *task_new(mp_obj_t coro) {
    advance_alloc_hint();
    aio_task_t *t = mp_obj_malloc(aio_task_t, &aio_task_type);
    t->coro = coro;
    t->q = Q_NONE;
    t->next = t->child = NULL;
    t->w = mp_const_none;
    t->key = 0;
    t->seq = 0;
    t->flags = 0;
    return t;
}

static mp_obj_t task_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    (void)type;
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    return MP_OBJ_FROM_PTR(task_new(args[0]));
}

// The task's box, made on first use: what does not fit in its eight words.
aio_box_t *aio_task_box(aio_task_t *t) {
    if (!(t->flags & F_BOXED)) {
        aio_box_t *b = m_new(aio_box_t, 1);
        b->coro = t->coro;
        b->extra = mp_const_none;
        b->data = mp_const_none;
        b->msg = mp_const_none;
        t->coro = (mp_obj_t)b;
        t->flags |= F_BOXED;
    }
    return (aio_box_t *)t->coro;
}

// Take a parked task out of wherever it waits (q becomes Q_NONE).
static void unpark(aio_task_t *t) {
    mp_obj_t q = t->q;
    if (q == Q_TIMED) {
        aio_timer_remove(t);
    } else if (q == Q_READY) {
        aio_unready(t);
    } else if (q != Q_NONE) {
        if (aio_wait_slot(q) != NULL) {
            aio_wl_unlink(q, t);
        } else {
            mp_obj_t dest[3];
            mp_load_method(q, MP_QSTR__drop, dest);
            dest[2] = MP_OBJ_FROM_PTR(t);
            mp_call_method_n_kw(1, 0, dest);
            t->q = Q_NONE;
        }
    }
}

// True once, when the running task comes back to the awaitable it parked
// in. A task that is still parked was not resumed by the loop: something
// drove its coroutine with next()/send() (an "async generator" iterated by
// hand), swallowing the yield. Unpark it and say so; carrying on would
// queue it twice and lose tasks.
bool aio_coming_back(aio_task_t *cur) {
    if (!(cur->flags & F_SUSPENDED)) {
        return false;
    }
    cur->flags &= ~F_SUSPENDED;
    if (cur->q != Q_NONE) {
        unpark(cur);
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("await outside the loop's control: a coroutine driven by next()/send()?"));
    }
    return true;
}

// Observers: callables told when a task finishes (gather's, wait_for's).
// One with no awaiters beside it sits in w and finish() calls it at once.
// Otherwise each is an observer node in the wait list (core.h), called in
// its turn, so awaiters and observers coexist, in the order they came.
static aio_task_t *observer_node(aio_task_t *t, mp_obj_t observer) {
    aio_task_t *n = task_new(mp_const_none);
    n->owner = t;
    n->w = observer;
    return n;
}

// Put t on target's wait list: an observer alone in w becomes a node first.
void aio_await_task(aio_task_t *target, aio_task_t *t) {
    mp_obj_t w = target->w;
    if (w != mp_const_none && !IS_TASK(w)) {
        target->w = mp_const_none;
        aio_wl_push(MP_OBJ_FROM_PTR(target), observer_node(target, w));
    }
    aio_wl_push(MP_OBJ_FROM_PTR(target), t);
}

bool aio_task_watch(aio_task_t *t, mp_obj_t observer) {
    if (t->flags & F_DONE) {
        return false;
    }
    if (t->w == mp_const_none) {
        t->w = observer;
    } else {
        aio_await_task(t, observer_node(t, observer));
    }
    return true;
}

void aio_task_unwatch(aio_task_t *t, mp_obj_t observer) {
    mp_obj_t w = t->w;
    if (w == observer) {
        t->w = mp_const_none;
    } else if (w != mp_const_none && IS_TASK(w)) {
        aio_task_t *tail = TASK(w);
        aio_task_t *n = tail;
        do {
            n = n->next;
            if (n->coro == mp_const_none && n->w == observer) {
                aio_wl_unlink(MP_OBJ_FROM_PTR(t), n);
                n->flags |= F_DONE;
                return;
            }
        } while (n != tail);
    }
}

static mp_obj_t task_done(mp_obj_t self_in) {
    return mp_obj_new_bool(TASK(self_in)->flags & F_DONE);
}
static MP_DEFINE_CONST_FUN_OBJ_1(task_done_obj, task_done);

static void count_cancel(aio_task_t *t) {
    if (t->flags < F_CANCELS_MAX) {
        t->flags += F_CANCELS;
    }
}

mp_obj_t aio_task_cancel(mp_obj_t self_in, mp_obj_t msg) {
    aio_task_t *t = TASK(self_in);
    aio_state_t *s = aio_state();
    if (t->flags & F_DONE) {
        return mp_const_false;
    }
    if (t == s->cur) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("can't cancel self"));
    }
    if (s->spare_cancel == MP_OBJ_NULL) {
        // Made at the first cancel (which may still fail: nothing changed
        // yet), for a throw that finds the heap full (cancellation()).
        s->spare_cancel = mp_make_raise_obj(s->cancelled);
    }
    // A task awaiting another task is cancelled through the awaited one.
    // Tasks awaiting each other in a cycle (a deadlock) end the walk where
    // it comes round again: `slow` follows at half speed until met. Each
    // task on the way counts a cancel request, as CPython's does when it
    // passes the cancel on to the task it awaits.
    aio_task_t *slow = t;
    bool half = false;
    mp_obj_t q = t->q;
    count_cancel(t);
    while (IS_TASK(q) && TASK(q) != s->cur && !(TASK(q)->flags & F_DONE)) {
        t = TASK(q);
        q = t->q;
        if (t == slow) {
            break;
        }
        count_cancel(t);
        if (half) {
            slow = TASK(slow->q);
        }
        half = !half;
    }
    if (t->flags & F_THROW) {
        return mp_const_true; // (the first cancel's message stands, as in CPython)
    }
    if (msg != mp_const_none) {
        aio_task_box(t)->msg = msg;
    }
    if (s->spare_cancel == MP_OBJ_NULL) {
        // Made at the first cancel (which may still fail: nothing changed
        // yet), for a throw that finds the heap full (cancellation()).
        }
    if (q != Q_READY) {
        unpark(t);
        aio_ready(t);
    }
    t->flags |= F_THROW;
    return mp_const_true;
}
static mp_obj_t task_cancel(size_t n_args, const mp_obj_t *args) {
    return aio_task_cancel(args[0], n_args > 1 ? args[1] : mp_const_none);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(task_cancel_obj, 1, 2, task_cancel);

static void task_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    aio_task_t *t = TASK(self_in);
    if (dest[0] == MP_OBJ_NULL) {
        if (attr == MP_QSTR_coro) {
            dest[0] = aio_task_coro(t);
        } else if (attr == MP_QSTR_data) {
            // Free for the user; once the task finishes, its outcome
            // (tutorial 7.9), until the user sets it again.
            dest[0] = (t->flags & F_DATA) ? aio_task_box(t)->data
                : (t->flags & F_DONE) ? t->q : mp_const_none;
        } else if (attr == MP_QSTR_done || attr == MP_QSTR_cancel) {
            dest[1] = MP_OBJ_SENTINEL; // the core's methods: in locals_dict
        }
        #if AIO_EXTRAS_HOOKS
        else {
            // Methods added by the extras (extend_task()); not found: dest
            // stays empty and the caller raises AttributeError.
            mp_obj_t fn = aio_task_ext_lookup(attr);
            if (fn != MP_OBJ_NULL) {
                dest[0] = fn;
                dest[1] = self_in;
            }
        }
        #endif
    } else if (dest[1] != MP_OBJ_NULL && attr == MP_QSTR_data) {
        aio_task_box(t)->data = dest[1];
        t->flags |= F_DATA;
        dest[0] = MP_OBJ_NULL;
    }
}

// Awaiting a task: park the awaiting task on our wait list until we finish.
// The task is its own iterator (ITER_IS_ITERNEXT): a custom getiter would
// make `await task` allocate an iterator buffer.
static mp_obj_t task_iternext(mp_obj_t self_in) {
    aio_task_t *t = TASK(self_in);
    aio_task_t *cur = aio_state()->cur;
    if (t->flags & F_DONE) {
        if (cur != NULL) {
            cur->flags &= ~F_SUSPENDED;
        }
        t->flags |= F_SEEN;
        if (t->flags & F_FAILED) {
            nlr_raise(t->q);
        }
        return mp_make_stop_iteration(t->q);
    }
    if (cur == NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("no running event loop"));
    }
    if (t == cur) {
        // (On its own wait list it would wait forever.)
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("Task cannot await on itself"));
    }
    aio_await_task(t, cur);
    cur->flags |= F_SUSPENDED;
    return mp_const_none;
}

static const mp_rom_map_elem_t task_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_done), MP_ROM_PTR(&task_done_obj) },
    { MP_ROM_QSTR(MP_QSTR_cancel), MP_ROM_PTR(&task_cancel_obj) },
};
static MP_DEFINE_CONST_DICT(task_locals, task_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    aio_task_type,
    MP_QSTR_Task,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, task_make_new,
    attr, task_attr,
    iter, task_iternext,
    locals_dict, &task_locals
    );

// ---- task completion ----

static void finish(aio_state_t *s, aio_task_t *t, mp_obj_t value, bool failed) {
    if (failed && value == MP_OBJ_FROM_PTR(&MP_STATE_VM(mp_emergency_exception_obj))) {
        // MicroPython raises its one static exception object when it cannot
        // allocate an exception, and reuses it at the next such failure: as
        // an outcome, it would change under the task's awaiters. The task
        // failed for want of memory: its outcome is a MemoryError of its
        // own, made now that its frames are garbage (if even that fails,
        // the static one stays).
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            value = mp_obj_new_exception(&mp_type_MemoryError);
            nlr_pop();
        }
    }
    t->q = value;
    // (F_DATA cleared: a finished task's data is its outcome, tutorial 7.9)
    uint16_t f = (t->flags & ~(F_SUSPENDED | F_THROW | F_DATA)) | F_DONE;
    if (failed) {
        f |= F_FAILED;
    }
    if (t == s->main) {
        f |= F_SEEN;
    }
    mp_obj_t w = t->w;
    if (w == mp_const_none) {
        t->flags = f;
        if (failed && !(f & F_SEEN) && !mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(value)), s->cancelled)) {
            // Nobody awaits it: report at the next turn unless retrieved first.
            aio_ready(t);
            t->q = value;
        }
    } else if (!IS_TASK(w)) {
        t->w = mp_const_none;
        t->flags = f | F_SEEN;
        mp_call_function_1(w, MP_OBJ_FROM_PTR(t));
    } else {
        t->flags = f | F_SEEN;
        // Waiters (relays included) go to the ready FIFO in order.
        for (aio_task_t *x; (x = aio_wl_pop(MP_OBJ_FROM_PTR(t))) != NULL;) {
            aio_ready(x);
        }
    }
}

// Forget the reserved hand-off of a lock whose heir is being cancelled.
static void forfeit_reservation(aio_task_t *t) {
    if (t->reserved != MP_OBJ_NULL) {
        aio_lock_t *lock = MP_OBJ_TO_PTR(t->reserved);
        t->reserved = MP_OBJ_NULL;
        aio_lock_forfeit(lock);
    }
}

// The CancelledError to throw into a cancelled task, made before the step
// changes anything (an allocation that fails must not leave a task half
// resumed). With the heap too full to make one, the spare made by cancel():
// the task still unwinds (its finally blocks run, its locks are released),
// without cancel(msg)'s message.
static mp_obj_t cancellation(aio_state_t *s, aio_task_t *t) {
    aio_box_t *b = (t->flags & F_BOXED) ? (aio_box_t *)t->coro : NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t exc = (b != NULL && b->msg != mp_const_none)
            ? mp_call_function_1(s->cancelled, b->msg) : mp_make_raise_obj(s->cancelled);
        nlr_pop();
        if (b != NULL) {
            b->msg = mp_const_none;
        }
        return exc;
    }
    if (b != NULL) {
        b->msg = mp_const_none;
    }
    mp_obj_exception_clear_traceback(s->spare_cancel);
    return s->spare_cancel;
}

// run_one(now): resume the next runnable task (the earliest due timer if it
// fell due no later than the ready FIFO's head became ready, else that
// head). Returns the task, or None when nothing is runnable at `now`.
static aio_task_t *step(aio_state_t *s, mp_uint_t now) {
    aio_task_t *t = s->heap;
    aio_task_t *h = s->rhead;
    if (t != NULL && aio_ticks_diff(t->key, now) <= 0 && (h == NULL || aio_ticks_diff(t->key, h->key) <= 0)) {
        aio_timer_pop();
    } else if (h != NULL) {
        t = h;
        s->rhead = h->next;
        if (s->rhead == NULL) {
            s->rtail = NULL;
        }
        t->next = NULL;
        if (!(t->flags & F_DONE)) {
            t->q = Q_NONE; // (a finished task's q is its outcome)
        }
    } else {
        return NULL;
    }
    if (t->coro == mp_const_none) {
        // A stop marker (owner NULL), an observer node (w: the observer,
        // owner: the task that finished) or a relay (owner: the task it
        // wakes out of a timed sleep).
        if (t->owner != NULL && !(t->flags & F_DONE)) {
            aio_task_t *owner = t->owner;
            t->flags |= F_DONE;
            if (t->w != mp_const_none) {
                mp_call_function_1(t->w, MP_OBJ_FROM_PTR(owner));
            } else if (owner->q == Q_TIMED) {
                aio_timer_remove(owner);
                aio_ready(owner);
            }
        }
        return t;
    }
    uint16_t f = t->flags;
    if ((f & F_REQUEUE) && !(f & F_THROW)) {
        // Woken by within.c: one more pass through the FIFO, as a relay's
        // wake-up takes, so wait_for keeps upstream's wake-up order.
        t->flags = f & ~F_REQUEUE;
        aio_ready(t);
        return t;
    }
    if (f & F_DONE) {
        // Queued by finish() for an unretrieved exception.
        if (!(f & F_SEEN)) {
            t->flags = f | F_SEEN;
            mp_call_function_1(s->report, MP_OBJ_FROM_PTR(t));
        }
        return t;
    }
    mp_obj_t coro = aio_task_coro(t);
    mp_obj_t ret;
    mp_vm_return_kind_t kind;
    if (f & F_THROW) {
        mp_obj_t exc = cancellation(s, t);
        t->flags = f & ~(F_THROW | F_SUSPENDED | F_REQUEUE);
        forfeit_reservation(t);
        s->cur = t;
        s->io_credit = IO_BURST;
        if (mp_obj_is_type(coro, &mp_type_gen_instance)) {
            // As gen.throw() does: a generator that has not started yet
            // must get the exception, not a "can't send" TypeError.
            kind = mp_obj_gen_resume(coro, mp_const_none, exc, &ret);
        } else {
            kind = mp_resume(coro, MP_OBJ_NULL, exc, &ret);
        }
    } else {
        s->cur = t;
        s->io_credit = IO_BURST;
        kind = mp_resume(coro, mp_const_none, MP_OBJ_NULL, &ret);
    }
    s->cur = NULL;
    if (kind == MP_VM_RETURN_NORMAL) {
        finish(s, t, ret, false);
    } else if (kind == MP_VM_RETURN_EXCEPTION) {
        const mp_obj_type_t *et = mp_obj_get_type(ret);
        if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(et), MP_OBJ_FROM_PTR(&mp_type_Exception))
            || mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(et), s->cancelled)) {
            finish(s, t, ret, true);
        } else {
            // KeyboardInterrupt, SystemExit and the like stop the loop. As in
            // CPython the task is done with it all the same (awaiting it later
            // raises it again), and its caller has seen it: no report.
            t->flags |= F_SEEN;
            finish(s, t, ret, true);
            nlr_raise(ret);
        }
    }
    return t;
}

static mp_obj_t aio_run_one(void) {
    aio_task_t *t = step(aio_state(), aio_ticks());
    return t == NULL ? mp_const_none : MP_OBJ_FROM_PTR(t);
}
MP_DEFINE_CONST_FUN_OBJ_0(aio_run_one_obj, aio_run_one);

// Whether one of the ThreadSafeFlags in the list `flags` (those a task
// waits on) is set. Inline, reading the list directly: it runs before
// every step, and is usually empty.
static inline bool flag_fired(mp_obj_t flags) {
    const mp_obj_list_t *l = MP_OBJ_TO_PTR(flags);
    for (size_t i = 0; i < l->len; i++) {
        mp_obj_t f = l->items[i];
        if (mp_obj_is_type(f, &aio_flag_type) && ((aio_flag_t *)MP_OBJ_TO_PTR(f))->set) {
            return true;
        }
    }
    return false;
}

// run_ready(main, flags): run_one() in a loop, reading the clock itself,
// while no task waits for a stream (the caller polls streams between single
// steps then). Returns None when nothing is runnable now; main (the caller's
// Task, stop marker or None) once it has finished or come up; True when a
// task parked on a custom container (pause(): a stream, a flag, gather), the
// state was replaced (new_event_loop()), or one of `flags` (the flags tasks
// wait on) is set, so the caller looks again.
static mp_obj_t aio_run_ready(mp_obj_t main_in, mp_obj_t flags) {
    aio_state_t *s = aio_state();
    aio_task_t *main = main_in == mp_const_none ? NULL : TASK(main_in);
    s->paused = false;
    for (;;) {
        if (flag_fired(flags)) {
            return mp_const_true;
        }
        aio_task_t *t = step(s, aio_ticks());
        if (t == NULL) {
            return mp_const_none;
        }
        if (t == main && (t->coro == mp_const_none || (t->flags & F_DONE))) {
            return main_in;
        }
        if (s->paused || MP_STATE_VM(our_asyncio_state) != s) {
            return mp_const_true;
        }
    }
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_run_ready_obj, aio_run_ready);

// ---- the rest of the core's functions; see _fallback.py for each ----

static mp_obj_t aio_init(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    aio_state_t *s = m_new0(aio_state_t, 1);
    s->cancelled = args[0];
    s->report = args[1];
    s->timeout_error = args[2];
    s->create_task = args[3];
    s->io = args[4];
    s->sleeper = mp_obj_malloc(aio_sleep_t, &aio_sleep_type);
    s->sleeper->ms = -1;
    s->iowait = mp_obj_malloc(aio_iowait_t, &aio_iowait_type);
    s->iowait->s = MP_OBJ_NULL;
    MP_STATE_VM(our_asyncio_state) = s;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(aio_init_obj, 5, 5, aio_init);

static aio_task_t *arg_task(mp_obj_t o) {
    if (!IS_TASK(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("Task expected"));
    }
    return TASK(o);
}

// The task being resumed; raises when called outside the loop.
aio_task_t *aio_running(void) {
    aio_task_t *cur = aio_state()->cur;
    if (cur == NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("no running event loop"));
    }
    return cur;
}

static mp_obj_t aio_current(void) {
    aio_task_t *cur = aio_state()->cur;
    return cur == NULL ? mp_const_none : MP_OBJ_FROM_PTR(cur);
}
MP_DEFINE_CONST_FUN_OBJ_0(aio_current_obj, aio_current);

static mp_obj_t aio_set_main(mp_obj_t t) {
    aio_state()->main = t == mp_const_none ? NULL : arg_task(t);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_set_main_obj, aio_set_main);

static mp_obj_t aio_spawn(mp_obj_t t) {
    aio_ready(arg_task(t));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_spawn_obj, aio_spawn);

// pause(q, awaitable=True): see _fallback.py
static mp_obj_t aio_pause(size_t n_args, const mp_obj_t *args) {
    aio_task_t *cur = aio_running();
    aio_state()->paused = true;
    cur->q = args[0];
    if (n_args < 2 || mp_obj_is_true(args[1])) {
        cur->flags |= F_SUSPENDED;
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(aio_pause_obj, 1, 2, aio_pause);

static mp_obj_t aio_resuming(void) {
    return mp_obj_new_bool(aio_coming_back(aio_running()));
}
MP_DEFINE_CONST_FUN_OBJ_0(aio_resuming_obj, aio_resuming);

static mp_obj_t aio_next_due(void) {
    aio_state_t *s = aio_state();
    if (s->rhead != NULL) {
        return MP_OBJ_NEW_SMALL_INT(0);
    }
    if (s->heap == NULL) {
        return MP_OBJ_NEW_SMALL_INT(-1);
    }
    mp_int_t d = aio_ticks_diff(s->heap->key, aio_ticks());
    return MP_OBJ_NEW_SMALL_INT(d > 0 ? d : 0);
}
MP_DEFINE_CONST_FUN_OBJ_0(aio_next_due_obj, aio_next_due);

// ticks(): the core's clock, which every module of the package reads (the
// hardware's ticks_ms, or set_clock()'s callable in tests).
static mp_obj_t aio_ticks_now(void) {
    return MP_OBJ_NEW_SMALL_INT(aio_ticks());
}
MP_DEFINE_CONST_FUN_OBJ_0(aio_ticks_obj, aio_ticks_now);

static mp_obj_t aio_result(mp_obj_t t_in) {
    aio_task_t *t = arg_task(t_in);
    if (!(t->flags & F_DONE)) {
        return mp_const_none;
    }
    t->flags |= F_SEEN;
    if (t->flags & F_FAILED) {
        nlr_raise(t->q);
    }
    return t->q;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_result_obj, aio_result);

static mp_obj_t aio_watch(mp_obj_t t_in, mp_obj_t observer) {
    return mp_obj_new_bool(aio_task_watch(arg_task(t_in), observer));
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_watch_obj, aio_watch);

static mp_obj_t aio_unwatch(mp_obj_t t_in, mp_obj_t observer) {
    aio_task_unwatch(arg_task(t_in), observer);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_unwatch_obj, aio_unwatch);

static mp_obj_t aio_outcome(mp_obj_t t_in) {
    aio_task_t *t = arg_task(t_in);
    t->flags |= F_SEEN;
    mp_obj_t items[2] = { mp_obj_new_bool(t->flags & F_FAILED), (t->flags & F_DONE) ? t->q : mp_const_none };
    return mp_obj_new_tuple(2, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_outcome_obj, aio_outcome);

// failed(t): whether t finished by raising. Observers (gather's) ask this
// instead of outcome(): they run inside the core as a task finishes, where
// an allocation that fails would lose the news.
static mp_obj_t aio_failed(mp_obj_t t_in) {
    return mp_obj_new_bool(arg_task(t_in)->flags & F_FAILED);
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_failed_obj, aio_failed);

static mp_obj_t aio_relay(mp_obj_t target_in) {
    aio_task_t *target = arg_task(target_in);
    aio_task_t *cur = aio_running();
    aio_task_t *r = task_new(mp_const_none);
    r->owner = cur;
    aio_await_task(target, r);
    return MP_OBJ_FROM_PTR(r);
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_relay_obj, aio_relay);

static mp_obj_t aio_unrelay(mp_obj_t r_in) {
    aio_task_t *r = arg_task(r_in);
    if (IS_TASK(r->q)) {
        aio_wl_unlink(r->q, r);
    }
    r->flags |= F_DONE;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_unrelay_obj, aio_unrelay);

#if AIO_EXTRAS_HOOKS
// eager(t): run the first step of the new task t now, inside the running
// task's step, which it interrupts (CPython 3.12's eager tasks). After it t
// is done, or parked wherever its first await put it, as after any step.
// Not on the hot path: the scheduler's step() is untouched.
static mp_obj_t aio_eager(mp_obj_t t_in) {
    aio_state_t *s = aio_state();
    if (!IS_TASK(t_in) || TASK(t_in)->q != Q_NONE || (TASK(t_in)->flags & (F_DONE | F_SUSPENDED))) {
        mp_raise_TypeError(MP_ERROR_TEXT("eager() needs a new Task"));
    }
    aio_task_t *t = TASK(t_in);
    aio_task_t *prev = s->cur;
    mp_obj_t ret;
    s->cur = t;
    mp_vm_return_kind_t kind = mp_resume(aio_task_coro(t), mp_const_none, MP_OBJ_NULL, &ret);
    s->cur = prev;
    if (kind == MP_VM_RETURN_NORMAL) {
        finish(s, t, ret, false);
    } else if (kind == MP_VM_RETURN_EXCEPTION) {
        const mp_obj_type_t *et = mp_obj_get_type(ret);
        bool stops = !mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(et), MP_OBJ_FROM_PTR(&mp_type_Exception))
            && !mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(et), s->cancelled);
        if (stops) {
            t->flags |= F_SEEN; // (as in step(): KeyboardInterrupt and the like)
        }
        finish(s, t, ret, true);
        if (stops) {
            nlr_raise(ret);
        }
    }
    return t_in;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_eager_obj, aio_eager);
#endif

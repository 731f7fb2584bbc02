// Extension points for the extras modules (frozen/asyncio/_hooks.py and
// the modules using it). None of them is on the hot path: the only cost
// there is the pointer check in aio_ticks() for set_clock(). Images built
// without the extras (ASYNCIO_EXTRAS=core) leave all but set_clock() out.
#include "py/gc.h"
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

// extend_task(find): find("Task", name) gives a Task attribute the core
// lacks (a function, bound to the task), or None. The package's registry
// answers, loading the extras on first use: they stay owned by
// sys.modules, not by this root pointer.
static mp_obj_t aio_extend_task(mp_obj_t find) {
    if (!mp_obj_is_callable(find)) {
        mp_raise_TypeError(MP_ERROR_TEXT("extend_task() needs a callable"));
    }
    MP_STATE_VM(our_asyncio_task_ext) = find;
    return mp_const_true;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_extend_task_obj, aio_extend_task);

// The extension method `attr` of Task, or MP_OBJ_NULL. (Private names are
// never extensions: the VM looks for some, such as __aiter__, on its own.)
mp_obj_t aio_task_ext_lookup(qstr attr) {
    mp_obj_t find = MP_STATE_VM(our_asyncio_task_ext);
    if (find == MP_OBJ_NULL || qstr_str(attr)[0] == '_') {
        return MP_OBJ_NULL;
    }
    mp_obj_t fn = mp_call_function_2(find, MP_OBJ_NEW_QSTR(MP_QSTR_Task), MP_OBJ_NEW_QSTR(attr));
    return fn == mp_const_none ? MP_OBJ_NULL : fn;
}

static mp_obj_t aio_task_extra(mp_obj_t t_in) {
    aio_task_t *t = hook_task(t_in);
    return (t->flags & F_BOXED) ? aio_task_box(t)->extra : mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_task_extra_obj, aio_task_extra);

static mp_obj_t aio_set_task_extra(mp_obj_t t, mp_obj_t obj) {
    aio_task_box(hook_task(t))->extra = obj;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_set_task_extra_obj, aio_set_task_extra);

// cancel_count(t, delta): the task's count of cancel requests (the high
// byte of its flags, core.h) after adding delta: 0 reads it, -1 is
// CPython's uncancel() (never below 0).
static mp_obj_t aio_cancel_count(mp_obj_t t_in, mp_obj_t delta_in) {
    aio_task_t *t = hook_task(t_in);
    mp_int_t n = (t->flags >> 8) + mp_obj_get_int(delta_in);
    n = n < 0 ? 0 : n > 0xff ? 0xff : n;
    t->flags = (t->flags & 0xff) | (n << 8);
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_cancel_count_obj, aio_cancel_count);

// parked(t): where t waits, for the call-graph dump: (q, ms) with q None
// (running, new or done), 1 (ready), 2 (timed: ms until due) or the
// container (a Task it awaits, an Event, a Lock, a custom one).
static mp_obj_t aio_parked(mp_obj_t t_in) {
    aio_task_t *t = hook_task(t_in);
    mp_obj_t items[2] = { (t->flags & F_DONE) ? mp_const_none : t->q, mp_const_none };
    if (items[0] == Q_TIMED) {
        items[1] = MP_OBJ_NEW_SMALL_INT(aio_ticks_diff(t->key, aio_ticks()));
    }
    return mp_obj_new_tuple(2, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_parked_obj, aio_parked);

// wait_on(t, w): park the not-yet-started task w on t's wait list, as if
// it awaited t, so it wakes with t's awaiters in their order.
static mp_obj_t aio_wait_on(mp_obj_t t_in, mp_obj_t w_in) {
    aio_task_t *t = hook_task(t_in);
    aio_task_t *w = hook_task(w_in);
    aio_await_task(t, w);
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

// heap_tasks(): every unfinished Task still on the heap after a collection,
// for all_tasks(). The core keeps no list of tasks (one parked on an Event
// is reachable only from that Event) and a list would cost RAM per task, so
// the GC's allocation table is read instead: two bits per block, four
// blocks per byte (aio_block_kind, core.h).

static void collect_tasks(mp_state_mem_area_t *area, mp_obj_t out) {
    size_t blocks = area->gc_alloc_table_byte_len * 4;
    for (size_t b = 0; b < blocks; b++) {
        if (aio_block_kind(area, b) != AIO_BLOCK_HEAD) {
            continue;
        }
        mp_obj_base_t *o = (mp_obj_base_t *)(area->gc_pool_start + b * MICROPY_BYTES_PER_GC_BLOCK);
        // A Task's type first, and as many blocks as a Task takes: a buffer
        // that merely starts with the type's address is no Task.
        size_t last = b + (sizeof(aio_task_t) - 1) / MICROPY_BYTES_PER_GC_BLOCK;
        if (o->type == &aio_task_type && last < blocks && aio_block_kind(area, last) == AIO_BLOCK_TAIL) {
            aio_task_t *t = (aio_task_t *)o;
            if (t->coro != mp_const_none && !(t->flags & F_DONE)) {
                mp_obj_list_append(out, MP_OBJ_FROM_PTR(t));
            }
        }
    }
}

static mp_obj_t aio_heap_tasks(void) {
    gc_collect(); // what is left allocated is reachable (or conservatively kept)
    mp_obj_t out = mp_obj_new_list(0, NULL);
    // (Appending may allocate: a block that becomes a list's storage is not
    // a Task, and the scan reads each table entry when it gets there.)
    for (mp_state_mem_area_t *area = &MP_STATE_MEM(area); area != NULL;) {
        collect_tasks(area, out);
        #if MICROPY_GC_SPLIT_HEAP
        area = area->next;
        #else
        area = NULL;
        #endif
    }
    return out;
}
MP_DEFINE_CONST_FUN_OBJ_0(aio_heap_tasks_obj, aio_heap_tasks);

#endif // AIO_EXTRAS_HOOKS

// set_clock(fn): tests only (ticks wrap-around). The core reads fn() instead
// of the hardware clock until None is set or init() starts a fresh state.
static mp_obj_t aio_set_clock(mp_obj_t fn) {
    aio_state()->clock = fn == mp_const_none ? MP_OBJ_NULL : fn;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(aio_set_clock_obj, aio_set_clock);

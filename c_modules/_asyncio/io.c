// The stream wait path: parking a task on a stream and dispatching the
// poller's events. The state stays in the package's I/O table (_IO in
// _kernel.py: the poller, `slots` keyed by id(stream), each slot's reader
// and writer); this file walks it without a Python frame per wait and per
// event. Registering a new stream, and what a slot whose waiters changed
// does (modify its mask, keep a socket registered, forget the rest), stay
// in Python (_watch, update, forget): they touch the poller anyway.
#include "core.h"
#include "py/mperrno.h"
#include "py/runtime.h"
#include "py/stream.h"

static mp_obj_t io_call(mp_obj_t io, qstr method, size_t n, mp_obj_t a, mp_obj_t b) {
    mp_obj_t dest[4];
    mp_load_method(io, method, dest);
    dest[2] = a;
    dest[3] = b;
    return mp_call_method_n_kw(n, 0, dest);
}

static mp_map_elem_t *io_slot(mp_obj_t io, mp_obj_t s) {
    mp_obj_t slots = mp_load_attr(io, MP_QSTR_slots);
    return mp_map_lookup(mp_obj_dict_get_map(slots), mp_obj_id(s), MP_MAP_LOOKUP);
}

// The I/O table's count of slots with a waiting task, moved by d.
static mp_int_t io_active_add(mp_obj_t io, mp_int_t d) {
    mp_int_t n = mp_obj_get_int(mp_load_attr(io, MP_QSTR_active)) + d;
    mp_store_attr(io, MP_QSTR_active, MP_OBJ_NEW_SMALL_INT(n));
    return n;
}

// Park the running task until s is readable (writable). Flags and anything
// the table must decide itself go through its park().
void aio_io_park(aio_state_t *st, mp_obj_t s, bool writing) {
    mp_obj_t io = st->io;
    if (mp_obj_is_type(s, &aio_flag_type)) {
        io_call(io, MP_QSTR_park, 2, s, mp_obj_new_bool(writing));
        return;
    }
    aio_task_t *cur = aio_running();
    mp_map_elem_t *e = io_slot(io, s);
    mp_obj_t slot = e != NULL ? e->value : io_call(io, MP_QSTR__watch, 2, s, mp_obj_new_bool(writing));
    qstr role = writing ? MP_QSTR_writer : MP_QSTR_reader;
    if (mp_load_attr(slot, role) != mp_const_none) {
        mp_raise_msg(&mp_type_RuntimeError, writing
            ? MP_ERROR_TEXT("stream already has a task waiting to write")
            : MP_ERROR_TEXT("stream already has a task waiting to read"));
    }
    mp_int_t mask = writing ? MP_STREAM_POLL_WR : MP_STREAM_POLL_RD;
    if (mp_load_attr(slot, writing ? MP_QSTR_reader : MP_QSTR_writer) == mp_const_none) {
        io_active_add(io, 1);
    } else {
        mask = MP_STREAM_POLL_RD | MP_STREAM_POLL_WR;
    }
    mp_store_attr(slot, role, MP_OBJ_FROM_PTR(cur));
    if (mp_obj_get_int(mp_load_attr(slot, MP_QSTR_mask)) != mask) {
        // (a new slot, or a kept socket waited on for the same as last
        // time, is polled for it already)
        io_call(io, MP_QSTR_update, 1, slot, MP_OBJ_NULL);
    }
    st->paused = true;
    cur->q = slot;
    cur->flags |= F_SUSPENDED;
}

// io_poll(ms, wake): see _fallback.py
static mp_obj_t aio_io_poll(mp_obj_t ms_in, mp_obj_t wake) {
    mp_obj_t io = aio_state()->io;
    mp_int_t ms = mp_obj_get_int(ms_in);
    if ((ms < 0 || ms > 1) && mp_obj_is_true(mp_load_attr(io, MP_QSTR_soft))) {
        ms = 1; // a stream written in Python: ask it again every ms (see _IO)
    }
    mp_obj_t dest[3];
    mp_load_method(mp_load_attr(io, MP_QSTR_poller), MP_QSTR_ipoll, dest);
    dest[2] = MP_OBJ_NEW_SMALL_INT(ms);
    mp_obj_iter_buf_t buf;
    mp_obj_t it = mp_getiter(mp_call_method_n_kw(1, 0, dest), &buf);
    mp_map_t *slots = mp_obj_dict_get_map(mp_load_attr(io, MP_QSTR_slots));
    mp_obj_t event;
    while ((event = mp_iternext(it)) != MP_OBJ_STOP_ITERATION) {
        mp_obj_t *pair;
        mp_obj_get_array_fixed_n(event, 2, &pair);
        mp_map_elem_t *e = mp_map_lookup(slots, mp_obj_id(pair[0]), MP_MAP_LOOKUP);
        if (e == NULL) {
            continue; // a flag: the table's wake_flags() sees it
        }
        mp_obj_t slot = e->value;
        mp_int_t ev = mp_obj_get_int(pair[1]);
        // Any event but "writable" (data, hangup, error) wakes the reader;
        // anything but "readable" wakes the writer.
        mp_obj_t r = mp_load_attr(slot, MP_QSTR_reader);
        mp_obj_t w = mp_load_attr(slot, MP_QSTR_writer);
        if (r == mp_const_none && w == mp_const_none) {
            // A kept socket nobody waits on: stop polling it, or every
            // poll would report it again at once.
            io_call(io, MP_QSTR_forget, 1, slot, MP_OBJ_NULL);
            continue;
        }
        if (r != mp_const_none && (ev & ~MP_STREAM_POLL_WR)) {
            mp_store_attr(slot, MP_QSTR_reader, mp_const_none);
            mp_call_function_1(wake, r);
            r = mp_const_none;
        }
        if (w != mp_const_none && (ev & ~MP_STREAM_POLL_RD)) {
            mp_store_attr(slot, MP_QSTR_writer, mp_const_none);
            mp_call_function_1(wake, w);
            w = mp_const_none;
        }
        qstr then = MP_QSTR_update;
        if (r == mp_const_none && w == mp_const_none) {
            mp_int_t active = io_active_add(io, -1);
            if (!mp_obj_is_true(mp_load_attr(slot, MP_QSTR_keep))) {
                then = MP_QSTR_forget;
            } else if ((mp_int_t)slots->used - active <= IO_MAX_IDLE) {
                continue; // stays registered as it is (see _IOSlot.keep)
            }
        }
        io_call(io, then, 1, slot, MP_OBJ_NULL);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(aio_io_poll_obj, aio_io_poll);

#if AIO_EXTRAS_HOOKS

// IOCall(s, writing): the awaitable of one direction of a socket, made once
// with it. arm(fn, a, b) sets the operation fn(s, a[, b]): each await tries
// it, parks on s until it is ready when it would block (returns None or
// raises EAGAIN), and gives its result without allocating (no StopIteration
// object: what a Python __next__ must raise). As io_wait(ready=True), a
// first try spends the step's credit, so a send loop or a peer that never
// runs dry cannot starve the other tasks. A task cancelled while it waits
// leaves it through throw(), which disarms it.
typedef struct _aio_iocall_t {
    mp_obj_base_t base;
    mp_obj_t s;
    mp_obj_t fn;    // MP_OBJ_NULL while not armed
    mp_obj_t a;
    mp_obj_t b;     // MP_OBJ_NULL: fn takes one argument after s
    bool writing;
} aio_iocall_t;

static mp_obj_t iocall_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 2, 2, false);
    aio_iocall_t *c = mp_obj_malloc(aio_iocall_t, type);
    c->s = args[0];
    c->writing = mp_obj_is_true(args[1]);
    c->fn = c->a = c->b = MP_OBJ_NULL;
    return MP_OBJ_FROM_PTR(c);
}

static mp_obj_t iocall_arm(size_t n_args, const mp_obj_t *args) {
    aio_iocall_t *c = MP_OBJ_TO_PTR(args[0]);
    if (c->fn != MP_OBJ_NULL) {
        mp_map_elem_t *e = io_slot(aio_state()->io, c->s);
        if (e != NULL && mp_load_attr(e->value, c->writing ? MP_QSTR_writer : MP_QSTR_reader) != mp_const_none) {
            mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("another task waits on this socket"));
        }
        // Handed out and not done with (not awaited yet, or its task woken
        // and not yet run): this call gets one of its own.
        c = mp_obj_malloc(aio_iocall_t, &aio_iocall_type);
        c->s = ((aio_iocall_t *)MP_OBJ_TO_PTR(args[0]))->s;
        c->writing = ((aio_iocall_t *)MP_OBJ_TO_PTR(args[0]))->writing;
    }
    c->fn = args[1];
    c->a = args[2];
    c->b = n_args > 3 ? args[3] : MP_OBJ_NULL;
    return MP_OBJ_FROM_PTR(c);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(iocall_arm_obj, 3, 4, iocall_arm);

static mp_obj_t iocall_iternext(mp_obj_t self_in) {
    aio_iocall_t *c = MP_OBJ_TO_PTR(self_in);
    if (c->fn == MP_OBJ_NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("socket operation awaited twice"));
    }
    aio_state_t *st = aio_state();
    aio_task_t *cur = aio_running();
    if (!aio_coming_back(cur)) { // (raises if driven by hand while parked)
        if (st->io_credit == 0) {
            aio_ready(cur); // a turn for the others first
            cur->flags |= F_SUSPENDED;
            return mp_const_none;
        }
        st->io_credit--;
    }
    mp_obj_t got;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        got = c->b == MP_OBJ_NULL
            ? mp_call_function_2(c->fn, c->s, c->a)
            : mp_call_function_n_kw(c->fn, 3, 0, (mp_obj_t[]) { c->s, c->a, c->b });
        nlr_pop();
    } else {
        mp_obj_t e = MP_OBJ_FROM_PTR(nlr.ret_val);
        if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(e)), MP_OBJ_FROM_PTR(&mp_type_OSError))
            || mp_obj_exception_get_value(e) != MP_OBJ_NEW_SMALL_INT(MP_EAGAIN)) {
            c->fn = c->a = c->b = MP_OBJ_NULL;
            nlr_jump(nlr.ret_val);
        }
        got = mp_const_none; // would block
    }
    if (got == mp_const_none) {
        aio_io_park(st, c->s, c->writing);
        return mp_const_none;
    }
    c->fn = c->a = c->b = MP_OBJ_NULL;
    return mp_make_stop_iteration(got);
}

static mp_obj_t iocall_throw(size_t n_args, const mp_obj_t *args) {
    aio_iocall_t *c = MP_OBJ_TO_PTR(args[0]);
    c->fn = c->a = c->b = MP_OBJ_NULL;
    nlr_raise(mp_make_raise_obj(n_args > 2 && args[2] != mp_const_none ? args[2] : args[1]));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(iocall_throw_obj, 2, 4, iocall_throw);

static const mp_rom_map_elem_t iocall_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_arm), MP_ROM_PTR(&iocall_arm_obj) },
    { MP_ROM_QSTR(MP_QSTR_throw), MP_ROM_PTR(&iocall_throw_obj) },
};
static MP_DEFINE_CONST_DICT(iocall_locals, iocall_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    aio_iocall_type,
    MP_QSTR_IOCall,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    make_new, iocall_make_new,
    iter, iocall_iternext,
    locals_dict, &iocall_locals
    );

#endif // AIO_EXTRAS_HOOKS

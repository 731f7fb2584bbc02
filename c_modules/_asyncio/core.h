// Our asyncio core in C, the twin of frozen/asyncio/_fallback.py. What both
// offer, and how each encodes the scheduler's state: CONTRACT.md.
#ifndef OUR_ASYNCIO_CORE_H
#define OUR_ASYNCIO_CORE_H

#include "py/runtime.h"
#include "py/smallint.h"

// CONTRACT.md's number: the package ignores any `_asyncio` (such as
// upstream's) without it.
#define CORE_ABI (8)

// The extension hooks for the extras modules (hooks.c); 0 for images built
// with ASYNCIO_EXTRAS=core, which have no module using them.
#ifndef AIO_EXTRAS_HOOKS
#define AIO_EXTRAS_HOOKS (1)
#endif

// Task._q: where a parked task is (else a container object)
#define Q_NONE (mp_const_none)
#define Q_READY (MP_OBJ_NEW_SMALL_INT(1))
#define Q_TIMED (MP_OBJ_NEW_SMALL_INT(2))

// Task flag bits, same values and meaning as in _fallback.py (but BOXED
// and DATA, which are about the C layout only)
#define F_DONE (1)        // coroutine finished
#define F_FAILED (2)      // ... by raising; q is the exception
#define F_SEEN (4)        // outcome delivered; no "not retrieved" report
#define F_THROW (8)       // cancelled: throw CancelledError at next resume
#define F_SUSPENDED (16)  // parked inside one of our awaitables
#define F_REQUEUE (32)    // in the ready FIFO: go to its back once more first
#define F_BOXED (64)      // coro is an aio_box_t (the task has extras/data)
#define F_DATA (128)      // the user set `data`: it is in the box
// The high byte counts cancel() requests not yet taken back by uncancel()
// (CPython's Task.cancelling()), saturating: no word of the task for it.
#define F_CANCELS (256)
#define F_CANCELS_MAX (0xff00)

// Task state encoding. Eight words: two GC blocks on 32- and 64-bit ports,
// as upstream's Task; so slots are shared between states that exclude
// each other.
//   coro   the coroutine, or None for a stop marker / relay; with F_BOXED
//          an aio_box_t holding it (rare: named tasks, done callbacks,
//          `data` set by the user)
//   q      before F_DONE: Q_NONE, Q_READY, Q_TIMED, or the container it
//          waits in: a Task, Event or Lock wait list, or an object with
//          _drop(task). After F_DONE: the outcome, the return value or,
//          with F_FAILED, the exception
//   next   ready FIFO link; wait lists: circular, singly linked, the
//          container's `w` pointing at the tail; timer heap: next sibling,
//          or for the last child its parent tagged with HEAP_PARENT
//   child  timer heap: first child. In the ready FIFO: `reserved`, the Lock
//          a release() handed to this task, until it resumes. A relay:
//          `owner`, the task it wakes; an observer node: `owner`, the task
//          it observes
//   w      None, tail of the list of tasks awaiting this one, or a
//          callable observer (gather, wait_for's within object) when it is
//          the only one; an observer node keeps its observer here
// Nodes with coro None: a stop marker (owner NULL), a relay, or an observer
// node (w: the observer), which a task's wait list holds for an observer
// that shares it with awaiters (task.c).
//   key    deadline (timer heap) or ready stamp (ready FIFO), in ticks_ms
//   seq    timer insertion order: equal deadlines fire first-in first-out
typedef struct _core_task_t {
    mp_obj_base_t base;
    mp_obj_t coro;
    mp_obj_t q;
    struct _core_task_t *next;
    union {
        struct _core_task_t *child;
        mp_obj_t reserved;
        struct _core_task_t *owner;
    };
    mp_obj_t w;
    mp_uint_t key;
    uint16_t seq;
    uint16_t flags;
} aio_task_t;

// What a task keeps outside its eight words (raw GC memory, not an object)
typedef struct _core_box_t {
    mp_obj_t coro;
    mp_obj_t extra;  // one object for the extras (name, done callbacks)
    mp_obj_t data;   // the user's `data`, with F_DATA
    mp_obj_t msg;    // cancel(msg)'s message until it is thrown, or None
} aio_box_t;

typedef struct _core_event_t {
    mp_obj_base_t base;
    mp_obj_t w;     // tail of the waiting tasks (circular list), or None
    bool set;
} aio_event_t;

typedef struct _core_lock_t {
    mp_obj_base_t base;
    mp_obj_t w;     // tail of the waiting tasks (circular list), or None
    mp_obj_t owner; // small int 0 unlocked / 1 locked, or the Task the lock
                    // was handed to by release() that has not resumed yet
} aio_lock_t;

typedef struct _core_flag_t {
    mp_obj_base_t base;
    volatile uint8_t set;   // one byte store: set() is safe from an IRQ
} aio_flag_t;

typedef struct _core_sleep_t {
    mp_obj_base_t base;
    mp_int_t ms;    // requested duration, -1 once the task has parked
} aio_sleep_t;

// io_wait()'s awaitable: one wait for a stream (awaitables.c)
typedef struct _core_iowait_t {
    mp_obj_base_t base;
    mp_obj_t s;     // what to park on (None: the back of the ready FIFO), or
                    // MP_OBJ_NULL once the task has parked (free for reuse)
    bool writing;
} aio_iowait_t;

// I/O operations a step may complete without waiting (io_wait(ready=True)),
// so a peer that keeps data coming cannot starve the other tasks.
#define IO_BURST (16)

// Kept sockets nobody waits on (see _IOSlot.keep in _kernel.py): past this
// many, the I/O table's update() drops them all. (_kernel's _MAX_IDLE.)
#define IO_MAX_IDLE (8)

// Scheduler state, reset by init(); reached through a root pointer.
typedef struct _core_state_t {
    aio_task_t *rhead;     // ready FIFO
    aio_task_t *rtail;
    aio_task_t *heap;      // timer pairing heap root
    aio_task_t *cur;       // task being resumed
    aio_task_t *main;      // task whose outcome the loop returns
    mp_obj_t cancelled;     // the CancelledError class
    mp_obj_t report;        // report(task) for unretrieved exceptions
    mp_obj_t timeout_error; // the TimeoutError class
    mp_obj_t create_task;   // the package's create_task() (within.c)
    mp_obj_t io;            // the package's I/O table (_kernel._IO): see io.c
    mp_obj_t spare_cancel;  // a CancelledError for when the heap is full (from the first cancel)
    aio_sleep_t *sleeper;  // the shared sleep_ms() awaitable
    aio_iowait_t *iowait;  // the shared io_wait() awaitable
    mp_obj_t clock;         // MP_OBJ_NULL, or set_clock()'s callable (tests)
    uint16_t seq;
    uint8_t io_credit;      // io_wait(ready=True) completions left this step
    bool paused;            // a task called pause() during run_ready()
} aio_state_t;

extern const mp_obj_type_t aio_task_type;
extern const mp_obj_type_t aio_event_type;
extern const mp_obj_type_t aio_lock_type;
extern const mp_obj_type_t aio_flag_type;
extern const mp_obj_type_t aio_sleep_type;
extern const mp_obj_type_t aio_done_type;
extern const mp_obj_type_t aio_iowait_type;
#if AIO_EXTRAS_HOOKS
extern const mp_obj_type_t aio_iocall_type; // io.c
#endif

// io.c: park the running task on a stream, through the package's I/O table
void aio_io_park(aio_state_t *st, mp_obj_t s, bool writing);
extern const mp_obj_base_t aio_done_obj;

aio_state_t *aio_state(void);

// ticks: the hardware clock, or for tests the callable given to set_clock()
mp_uint_t aio_ticks(void);
mp_int_t aio_ticks_diff(mp_uint_t a, mp_uint_t b);
mp_uint_t aio_ticks_add(mp_uint_t t, mp_int_t ms);
#define CORE_MAX_MS ((mp_int_t)((MICROPY_PY_TIME_TICKS_PERIOD - 1) / 2))

// queues.c
void aio_ready(aio_task_t *t);
void aio_unready(aio_task_t *t);
void aio_timer_push(aio_task_t *t, mp_uint_t deadline);
void aio_timer_remove(aio_task_t *t);
aio_task_t *aio_timer_pop(void);
mp_obj_t *aio_wait_slot(mp_obj_t container);
aio_task_t *aio_wl_pop(mp_obj_t container);
void aio_wl_push(mp_obj_t container, aio_task_t *t);
void aio_wl_unlink(mp_obj_t container, aio_task_t *t);

// hooks.c
mp_obj_t aio_task_ext_lookup(qstr attr);

// task.c
bool aio_coming_back(aio_task_t *cur);
void aio_await_task(aio_task_t *target, aio_task_t *t);
bool aio_task_watch(aio_task_t *t, mp_obj_t observer);
void aio_task_unwatch(aio_task_t *t, mp_obj_t observer);
aio_box_t *aio_task_box(aio_task_t *t);
mp_obj_t aio_task_cancel(mp_obj_t self_in, mp_obj_t msg);
aio_task_t *aio_running(void);
void aio_lock_forfeit(aio_lock_t *lock);

#define TASK(o) ((aio_task_t *)MP_OBJ_TO_PTR(o))

// The coroutine, wherever the task keeps it (inline: the scheduler step
// reads it on every resume).
static inline mp_obj_t aio_task_coro(aio_task_t *t) {
    return (t->flags & F_BOXED) ? ((aio_box_t *)t->coro)->coro : t->coro;
}
#define IS_TASK(o) (mp_obj_is_type((o), &aio_task_type))

#if MICROPY_ENABLE_GC
// What the GC's allocation table says of block b of a heap area: two bits
// per block, four blocks per byte (py/gc.c's AT_FREE, AT_HEAD, AT_TAIL,
// AT_MARK). For all_tasks()'s heap scan and the allocation hint (task.c).
#define AIO_BLOCK_FREE (0)
#define AIO_BLOCK_HEAD (1)
#define AIO_BLOCK_TAIL (2)
static inline int aio_block_kind(const mp_state_mem_area_t *area, size_t b) {
    return (area->gc_alloc_table_start[b >> 2] >> ((b & 3) * 2)) & 3;
}
#endif

#endif

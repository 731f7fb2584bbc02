// Ready FIFO, timer pairing heap and wait lists: all intrusive (links live
// in the tasks), so queueing never allocates.
#include "py/mphal.h"
#include "core.h"

// time.ticks_ms() wraps at this period (a power of two) on every port.
#define TICKS_MASK ((mp_uint_t)MICROPY_PY_TIME_TICKS_PERIOD - 1)
#define TICKS_HALF ((mp_uint_t)MICROPY_PY_TIME_TICKS_PERIOD / 2)

MP_REGISTER_ROOT_POINTER(struct _core_state_t *our_asyncio_state);

aio_state_t *aio_state(void) {
    aio_state_t *s = MP_STATE_VM(our_asyncio_state);
    if (s == NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("asyncio core not initialised"));
    }
    return s;
}

// Same values as time.ticks_ms(), ticks_diff() and ticks_add().
mp_uint_t aio_ticks(void) {
    mp_obj_t clock = aio_state()->clock;
    if (clock != MP_OBJ_NULL) {
        return mp_obj_get_int_truncated(mp_call_function_0(clock)) & TICKS_MASK;
    }
    return mp_hal_ticks_ms() & TICKS_MASK;
}

mp_int_t aio_ticks_diff(mp_uint_t a, mp_uint_t b) {
    return (mp_int_t)((a - b + TICKS_HALF) & TICKS_MASK) - (mp_int_t)TICKS_HALF;
}

mp_uint_t aio_ticks_add(mp_uint_t t, mp_int_t ms) {
    return (t + (mp_uint_t)ms) & TICKS_MASK;
}

void aio_ready(aio_task_t *t) {
    aio_state_t *s = aio_state();
    t->q = Q_READY;
    t->next = NULL;
    t->key = aio_ticks();
    if (s->rtail == NULL) {
        s->rhead = t;
    } else {
        s->rtail->next = t;
    }
    s->rtail = t;
}

// Take t out of the ready FIFO (an error path only: it walks the FIFO).
void aio_unready(aio_task_t *t) {
    aio_state_t *s = aio_state();
    aio_task_t *p = NULL;
    for (aio_task_t *x = s->rhead; x != NULL; p = x, x = x->next) {
        if (x == t) {
            if (p == NULL) {
                s->rhead = t->next;
            } else {
                p->next = t->next;
            }
            if (s->rtail == t) {
                s->rtail = p;
            }
            break;
        }
    }
    t->next = NULL;
    t->q = Q_NONE;
}

// Timer heap ordering: deadline, then insertion order (16-bit wrapping).
static bool earlier(const aio_task_t *a, const aio_task_t *b) {
    mp_int_t d = aio_ticks_diff(a->key, b->key);
    return d < 0 || (d == 0 && ((uint16_t)(a->seq - b->seq) & 0xffff) > 0x7fff);
}

// Heap links: the last child's `next` is its parent, tagged in the low
// bit (tasks are GC blocks, so that bit is free; the parent stays reachable
// from the root, so the GC needs no untagged copy).
#define HEAP_PARENT ((uintptr_t)1)
#define IS_PARENT(p) ((uintptr_t)(p) & HEAP_PARENT)
#define TAG_PARENT(p) ((aio_task_t *)((uintptr_t)(p) | HEAP_PARENT))
#define UNTAG(p) ((aio_task_t *)((uintptr_t)(p) & ~HEAP_PARENT))

// Two roots (next NULL) into one; the later one becomes the first child.
static aio_task_t *meld(aio_task_t *a, aio_task_t *b) {
    if (earlier(b, a)) {
        aio_task_t *x = a;
        a = b;
        b = x;
    }
    b->next = a->child != NULL ? a->child : TAG_PARENT(a);
    a->child = b;
    return a;
}

// Two-pass pairing of a sibling list: pairs left to right onto a stack
// (linked through next), then the stack melded into one tree.
static aio_task_t *merge_children(aio_task_t *n) {
    aio_task_t *stack = NULL;
    while (n != NULL && !IS_PARENT(n)) {
        aio_task_t *a = n;
        aio_task_t *b = a->next;
        if (b == NULL || IS_PARENT(b)) {
            n = NULL;
        } else {
            n = b->next;
            b->next = NULL;
            a->next = NULL;
            a = meld(a, b);
        }
        a->next = stack;
        stack = a;
    }
    if (stack == NULL) {
        return NULL;
    }
    aio_task_t *root = stack;
    stack = root->next;
    root->next = NULL;
    while (stack != NULL) {
        aio_task_t *x = stack;
        stack = x->next;
        x->next = NULL;
        root = meld(root, x);
    }
    return root;
}

void aio_timer_push(aio_task_t *t, mp_uint_t deadline) {
    aio_state_t *s = aio_state();
    t->q = Q_TIMED;
    t->key = deadline;
    t->seq = ++s->seq;
    t->next = t->child = NULL;
    s->heap = s->heap == NULL ? t : meld(s->heap, t);
}

void aio_timer_remove(aio_task_t *t) {
    aio_state_t *s = aio_state();
    aio_task_t *sub = merge_children(t->child);
    t->child = NULL;
    if (t == s->heap) {
        s->heap = sub;
    } else {
        // Unhook t from its parent's child list: the parent is at the end
        // of t's siblings, t's left sibling (if any) starts from it.
        aio_task_t *p = t->next;
        while (!IS_PARENT(p)) {
            p = p->next;
        }
        p = UNTAG(p);
        aio_task_t *after = t->next;
        if (p->child == t) {
            p->child = IS_PARENT(after) ? NULL : after;
        } else {
            aio_task_t *l = p->child;
            while (l->next != t) {
                l = l->next;
            }
            l->next = after;
        }
        if (sub != NULL) {
            s->heap = meld(s->heap, sub);
        }
    }
    t->next = NULL;
    t->q = Q_NONE;
}

aio_task_t *aio_timer_pop(void) {
    aio_state_t *s = aio_state();
    aio_task_t *t = s->heap;
    s->heap = merge_children(t->child);
    t->child = NULL;
    t->q = Q_NONE;
    return t;
}

// The wait-list slot of a container (its tail, or None), or NULL for
// custom containers.
mp_obj_t *aio_wait_slot(mp_obj_t c) {
    if (IS_TASK(c)) {
        return &TASK(c)->w;
    } else if (mp_obj_is_type(c, &aio_event_type)) {
        return &((aio_event_t *)MP_OBJ_TO_PTR(c))->w;
    } else if (mp_obj_is_type(c, &aio_lock_type)) {
        return &((aio_lock_t *)MP_OBJ_TO_PTR(c))->w;
    }
    return NULL;
}

// Take the first task waiting in c (a container with a wait list) off
// the list; NULL when none waits.
aio_task_t *aio_wl_pop(mp_obj_t c) {
    mp_obj_t *slot = aio_wait_slot(c);
    if (*slot == mp_const_none) {
        return NULL;
    }
    aio_task_t *tail = TASK(*slot);
    aio_task_t *t = tail->next;
    if (t == tail) {
        *slot = mp_const_none;
    } else {
        tail->next = t->next;
    }
    t->next = NULL;
    t->q = Q_NONE;
    return t;
}

void aio_wl_push(mp_obj_t c, aio_task_t *t) {
    mp_obj_t *slot = aio_wait_slot(c);
    if (*slot == mp_const_none) {
        t->next = t;
    } else {
        aio_task_t *tail = TASK(*slot);
        t->next = tail->next;
        tail->next = t;
    }
    *slot = MP_OBJ_FROM_PTR(t);
    t->q = c;
}

// O(1) for the first waiter (the usual case: set(), release(), finish);
// a cancelled waiter further back walks the list to its predecessor.
void aio_wl_unlink(mp_obj_t c, aio_task_t *t) {
    mp_obj_t *slot = aio_wait_slot(c);
    aio_task_t *n = t->next;
    if (n == t) {
        *slot = mp_const_none;
    } else {
        aio_task_t *p = TASK(*slot);
        while (p->next != t) {
            p = p->next;
        }
        p->next = n;
        if (*slot == MP_OBJ_FROM_PTR(t)) {
            *slot = MP_OBJ_FROM_PTR(p);
        }
    }
    t->next = NULL;
    t->q = Q_NONE;
}

# primitives: the hardware and event primitives of micropython-async v3's
# package of that name, ours, for code written against it ("from
# primitives import Pushbutton, Delay_ms"). Names load on first use from
# the module the registry below names; "asyncio" means the name is our
# asyncio's own (one implementation, one set of objects).

_NAMES = (
    " switch: Switch"
    " pushbutton: Pushbutton ESP32Touch"
    " events: ESwitch EButton WaitAny WaitAll ELO"
    " rp2_touch: RP2Touch"
    " sw_array: Keyboard SwArray"
    " encoder: Encoder"
    " aadc: AADC"
    " asyncio: Delay_ms Message Broker broker RegExp RingbufQueue Queue Semaphore"
    " BoundedSemaphore Barrier Condition ThreadSafeQueue ThreadSafeEvent"
    " "
)


def launch(func, tup_args):
    # Call func; a coroutine it gives runs as a task (returned).
    r = func(*tup_args)
    if hasattr(r, "send"):
        import asyncio

        r = asyncio.create_task(r)
    return r


def set_global_exception():
    # A task's uncaught exception ends the program, with its traceback,
    # instead of leaving the others running (for debugging).
    import asyncio

    asyncio.get_event_loop().set_exception_handler(_stop)


def _stop(loop, context):
    import sys

    sys.print_exception(context["exception"])
    sys.exit()


class Agent:
    # Base of a user's Broker agent: a subclass gives put(topic, message, *args).
    pass


def __getattr__(name):
    i = _NAMES.find(" %s " % name)
    if i < 0 or name.startswith("_"):
        raise AttributeError("module 'primitives' has no attribute '%s'" % name)
    j = _NAMES.rfind(":", 0, i)
    home = _NAMES[_NAMES.rfind(" ", 0, j) + 1 : j]
    if home == "asyncio":
        import asyncio as module
    else:
        module = __import__(home, globals(), None, (home,), 1)
    value = getattr(module, name)
    globals()[name] = value
    return value

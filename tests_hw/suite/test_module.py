# The module surface: every name spec 001/003 documents exists, the uasyncio
# alias is the same module API, __version__ is an "X.Y.Z" string (the build
# reads it), and the exception classes have the documented bases.
import hwtest
from hwtest import eq, true

hwtest.require("micropython")  # MicroPython's asyncio surface
import asyncio  # noqa: E402  (imports follow the file's feature checks)

DOCUMENTED = (
    "create_task current_task gather get_event_loop "
    "new_event_loop open_connection run sleep sleep_ms "
    "start_server wait_for wait_for_ms Event Lock "
    "Loop Server Stream StreamReader StreamWriter Task "
    "ThreadSafeFlag CancelledError TimeoutError"
).split()


def test_documented_names_exist():
    # (stock upstream lacks Stream and Server as names: only the aliases)
    missing = [n for n in DOCUMENTED if not hasattr(asyncio, n)]
    eq(missing, [], "missing names")


def test_version_is_a_dotted_string():
    v = asyncio.__version__
    true(isinstance(v, str), "__version__ is a str, got %r" % (v,))  # stock: a tuple
    parts = v.split(".")
    eq(len(parts), 3, "X.Y.Z parts of %r" % v)
    true(all(p.isdigit() for p in parts), "numeric parts in %r" % v)


def test_uasyncio_alias():
    import uasyncio

    for name in DOCUMENTED:
        if hasattr(asyncio, name):
            true(
                getattr(uasyncio, name) is getattr(asyncio, name),
                "uasyncio.%s is asyncio.%s" % (name, name),
            )

    async def main():
        await uasyncio.sleep_ms(1)
        return uasyncio.current_task() is asyncio.current_task()

    eq(uasyncio.run(main()), True, "one scheduler behind both names")


def test_exception_bases():
    true(issubclass(asyncio.CancelledError, BaseException), "CancelledError is a BaseException")
    true(
        not issubclass(asyncio.CancelledError, Exception),
        "so `except Exception` doesn't swallow it",
    )
    true(issubclass(asyncio.TimeoutError, Exception), "TimeoutError is an Exception")


def test_get_event_loop_gives_the_loop():
    true(
        isinstance(asyncio.get_event_loop(), asyncio.Loop)
        or asyncio.get_event_loop() is asyncio.Loop,
        "get_event_loop gives the Loop",
    )


hwtest.main()

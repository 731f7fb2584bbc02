# Our asyncio package, micropython-lib style: include() this manifest.
#   include("<project>/frozen/asyncio/manifest.py")                  -> with the Python core
#   include("<project>/frozen/asyncio/manifest.py", c_core_only=True) -> image has our C
#       `_asyncio`, so the Python twin of the core is left out of flash
#   include(..., extras="core" | "cpython" | "all")  -> how much beyond the documented
#       core is frozen: nothing / the CPython-compatible additions / those plus the
#       MicroPython extras. Names of modules left out raise a clear AttributeError.
options.defaults(c_core_only=False, extras="all")

if options.extras not in ("core", "cpython", "all"):
    raise ValueError("asyncio manifest: extras must be 'core', 'cpython' or 'all', not %r" % (options.extras,))

files = [
    "__init__.py",
    "_kernel.py",
    "_sync.py",
    "_combinators.py",
    "_streams.py",
    "_loop.py",
]
if not options.c_core_only:
    files.append("_fallback.py")
if options.extras != "core":
    files += [
        "_hooks.py",
        "_waitq.py",
        "_watch.py",
        "_taskext.py",
        "_future.py",
        "_callbacks.py",
        "_threads.py",
        "_crossthread.py",
        "_semaphore.py",
        "_queues.py",
        "_condition.py",
        "_barrier.py",
        "_taskgroup.py",
        "_timeouts.py",
        "_wait.py",
        "_alltasks.py",
    ]
if options.extras == "all":
    files += [
        "_ringq.py",
        "_threadsafe.py",
        "_message.py",
        "_broker.py",
        "_delay.py",
        "_fastio.py",
        "core.py",
    ]

package("asyncio", files, base_path="..", opt=3)

# `import uasyncio` keeps working for code written before the rename.
module("uasyncio.py", base_path="compat", opt=3)

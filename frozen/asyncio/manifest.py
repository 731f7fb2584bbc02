# Our asyncio package, micropython-lib style: include() this manifest.
#   include("<project>/frozen/asyncio/manifest.py")                  -> with the Python core
#   include("<project>/frozen/asyncio/manifest.py", c_core_only=True) -> image has our C
#       `_asyncio`, so the Python twin of the core is left out of flash
options.defaults(c_core_only=False)

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

package("asyncio", files, base_path="..", opt=3)

# `import uasyncio` keeps working for code written before the rename.
module("uasyncio.py", base_path="compat", opt=3)

# Our asyncio package, micropython-lib style: include() this manifest.
#   include("<project>/frozen/asyncio/manifest.py")                  -> with the Python core
#   include("<project>/frozen/asyncio/manifest.py", c_core_only=True) -> image has our C
#       `_asyncio`, so the Python twin of the core is left out of flash
#   include(..., extras="core" | "cpython" | "all")  -> how much beyond the documented
#       core is frozen: nothing / the CPython-compatible additions / those plus the
#       MicroPython extras. Names of modules left out raise a clear AttributeError.
# Which module belongs to which tier is read from the package's registry
# (_LAZY in __init__.py), the same table the package loads by.
options.defaults(c_core_only=False, extras="all")

TIERS = ("core", "cpython", "all")
if options.extras not in TIERS:
    raise ValueError(
        "asyncio manifest: extras must be 'core', 'cpython' or 'all', not %r" % (options.extras,)
    )


def registry_modules(init="__init__.py"):
    # (tier, module) for every module of the registry, in its order.
    import ast

    with open(init) as f:
        tree = ast.parse(f.read())
    lazy = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "_LAZY"
    )
    tier = "core"
    tokens = iter(lazy.split())
    for token in tokens:
        if token == "|":
            tier = next(tokens)
        elif token.endswith(":"):
            yield tier, token[:-1]


wanted = TIERS[: TIERS.index(options.extras) + 1]
# (_fallback: the Python twin of the C core, needless beside it)
files = ["__init__.py", "_kernel.py"] + ([] if options.c_core_only else ["_fallback.py"])
for tier, name in registry_modules():
    if tier in wanted:
        files.append(name + ".py")

package("asyncio", files, base_path="..", opt=3)

# `import uasyncio` keeps working for code written before the rename.
module("uasyncio.py", base_path="compat", opt=3)

# unix's usual frozen content without upstream's extmod/asyncio (ours replaces it).
if options.micropython_lib:
    add_library("unix-ffi", "$(MPY_LIB_DIR)/unix-ffi")
    require("mip-cmdline")
else:
    # (micropython-lib's `ssl`, which mip-cmdline brings, is not at hand)
    module("ssl.py")

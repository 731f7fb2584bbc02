# Our UNIX image. The firmware tool passes FROZEN_MANIFEST (our top-level manifest)
# and USER_C_MODULES (unless ASYNCIO_C=0) on the make command line.

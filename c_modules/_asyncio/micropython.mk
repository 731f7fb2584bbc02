# make-based ports (unix, stm32, rp2 via make, qemu): add our C core.
# ASYNCIO_C=0 leaves it out, giving the pure-Python fallback image.
ASYNCIO_C ?= 1

ifeq ($(ASYNCIO_C),1)
OUR_ASYNCIO_DIR := $(USERMOD_DIR)
SRC_USERMOD_C += $(addprefix $(OUR_ASYNCIO_DIR)/,queues.c task.c awaitables.c io.c within.c hooks.c module.c)
CFLAGS_USERMOD += -I$(OUR_ASYNCIO_DIR)
# No extras frozen (the build exports ASYNCIO_EXTRAS): no extension hooks.
ifeq ($(ASYNCIO_EXTRAS),core)
CFLAGS_USERMOD += -DAIO_EXTRAS_HOOKS=0
endif
endif

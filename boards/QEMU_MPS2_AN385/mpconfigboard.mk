# Arm MPS2 AN385 under QEMU with our asyncio: upstream's board settings, then ours.
include $(TOP)/ports/qemu/boards/MPS2_AN385/mpconfigboard.mk

# mpconfigport.h in this folder wraps the port's one; -I here puts it first in the
# search path (the port adds -I. after the board's CFLAGS).
CFLAGS += -I$(BOARD_DIR)

# MicroPython 1.25's qemu port has no tick source, so no time/select module and no
# asyncio. Later releases have one; then this board adds nothing of its own.
ifeq ($(shell grep -c mp_hal_ticks_ms $(TOP)/ports/qemu/mphalport.c),0)
CFLAGS += -DBOARD_OWN_TICKS=1
SRC_C += board_ticks.c
vpath board_ticks.c $(BOARD_DIR)
# The port's stdin hooks spin without sleeping and report stdin as never readable;
# board_ticks.c provides sleeping, pollable ones. Renaming the port's two functions
# inside their own object keeps them out of the link without touching the file.
$(BUILD)/mphalport.o: CFLAGS += -Dmp_hal_stdio_poll=port_stdio_poll_unused -Dmp_hal_stdin_rx_chr=port_stdin_rx_chr_unused
endif

ifeq ($(ASYNCIO_STOCK),1)
CFLAGS += -DBOARD_UPSTREAM_ASYNCIO=1
endif

# Pyboard v1.1 with our asyncio: upstream's board settings; the firmware tool passes
# FROZEN_MANIFEST and USER_C_MODULES on the make command line.
include $(TOP)/ports/stm32/boards/PYBV11/mpconfigboard.mk

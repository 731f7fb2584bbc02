// The board's HAL configuration is upstream's, unchanged.
#include "ports/stm32/boards/PYBV11/stm32f4xx_hal_conf.h"

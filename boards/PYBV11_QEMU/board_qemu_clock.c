// QEMU's netduinoplus2 has no RCC model: upstream's SystemClock_Config waits for the
// PLL's ready bits, which never come, and stops in boardctrl_fatal_error. This one
// (the port's is weak) sets up what QEMU does instead.
#include "py/mphal.h"
#include "irq.h"

void SystemClock_Config(void) {
    // TIM2-5 count at a fixed 1 GHz in QEMU, and with RCC reading 0 the HAL takes the
    // timers' input clock to be SystemCoreClock.
    SystemCoreClock = 1000000000;
    // SysTick counts the 168 MHz core clock: a tick a millisecond.
    SysTick_Config(168000000 / 1000);
    NVIC_SetPriority(SysTick_IRQn, IRQ_PRI_SYSTICK);
}

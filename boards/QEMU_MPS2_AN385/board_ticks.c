// Clock and console for the MPS2 AN385 under QEMU, for MicroPython releases whose
// qemu port has neither (1.25): a 1 ms SysTick clock for time/select/asyncio, and an
// interrupt-driven UART receive buffer so that stdin can be polled, Ctrl-C interrupts
// running code, and an idle board sleeps (wfi) instead of spinning the host's CPU.
//
// The port's own vector table points SysTick at a fault handler and has no entries
// for external interrupts, so board_ticks_init() installs a RAM copy through VTOR.

#include <stdint.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "shared/runtime/interrupt_char.h"

// The AN385 core clock, which clocks the SysTick in QEMU's model.
#define CORE_HZ (25000000u)
#define SYSTICK_RELOAD (CORE_HZ / 1000u - 1u)

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG32(0xe000e010)
#define SYST_RVR REG32(0xe000e014)
#define SYST_CVR REG32(0xe000e018)
#define SCB_VTOR REG32(0xe000ed08)
#define NVIC_ISER0 REG32(0xe000e100)

// CMSDK APB UART0 as the AN385 maps it; its receive interrupt is IRQ 0.
#define UART0_BASE (0x40004000u)
#define UART0_DATA REG32(UART0_BASE + 0x0)
#define UART0_STATE REG32(UART0_BASE + 0x4)
#define UART0_CTRL REG32(UART0_BASE + 0x8)
#define UART0_INTCLEAR REG32(UART0_BASE + 0xc)
#define UART_STATE_RXFULL (1u << 1)
#define UART_CTRL_RXIRQ_EN (1u << 3)
#define UART_INT_RX (1u << 1)
#define UART0_RX_IRQ (0)

// 16 system exceptions + the AN385's 32 interrupts; VTOR needs 256-byte alignment.
#define VECTOR_COUNT (16 + 32)
static uint32_t ram_vectors[VECTOR_COUNT] __attribute__((aligned(256)));

static volatile uint32_t elapsed_ms;

// Bytes received but not yet read; a power of two so indices can wrap by masking.
#define RX_SIZE (512u)
static uint8_t rx_buf[RX_SIZE];
static volatile uint32_t rx_head; // written by the interrupt only
static volatile uint32_t rx_tail; // written by the reader only

// Move received bytes into rx_buf; runs in interrupt context or with interrupts off.
// When the buffer is full the byte is left in the UART, which holds QEMU back (flow
// control), and the receive interrupt is off until the reader makes room. QEMU raises
// no interrupt for a byte that arrived while it was off, hence the other callers.
static void uart_drain(void) {
    while (UART0_STATE & UART_STATE_RXFULL) {
        if (rx_head - rx_tail >= RX_SIZE) {
            UART0_CTRL &= ~UART_CTRL_RXIRQ_EN;
            return;
        }
        int c = UART0_DATA;
        if (c == mp_interrupt_char) {
            mp_sched_keyboard_interrupt();
            continue;
        }
        rx_buf[rx_head % RX_SIZE] = c;
        rx_head += 1;
    }
    UART0_CTRL |= UART_CTRL_RXIRQ_EN;
}

static void uart_rx_handler(void) {
    UART0_INTCLEAR = UART_INT_RX;
    uart_drain();
}

// Non-zero during machine.lightsleep(): the ms one long SysTick period covers.
static volatile uint32_t long_period_ms;

static void systick_handler(void) {
    if (long_period_ms) {
        elapsed_ms += long_period_ms;
        long_period_ms = 0;
    } else {
        elapsed_ms += 1;
    }
    uart_drain();
}

void board_ticks_init(void) {
    // Runs at every soft reset (MICROPY_PORT_INIT_FUNC); the hardware set-up only once.
    if (SCB_VTOR == (uint32_t)ram_vectors) {
        return;
    }
    extern void Default_Handler(void);
    const uint32_t *rom_vectors = (const uint32_t *)SCB_VTOR;
    for (int i = 0; i < VECTOR_COUNT; ++i) {
        ram_vectors[i] = i < 16 ? rom_vectors[i] : (uint32_t)&Default_Handler;
    }
    ram_vectors[15] = (uint32_t)&systick_handler;
    ram_vectors[16 + UART0_RX_IRQ] = (uint32_t)&uart_rx_handler;
    __asm volatile ("dsb");
    SCB_VTOR = (uint32_t)ram_vectors;
    __asm volatile ("dsb\nisb");

    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7; // core clock, interrupt, enable

    UART0_CTRL |= UART_CTRL_RXIRQ_EN;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

// Microseconds since board_ticks_init, consistent with elapsed_ms.
static uint64_t elapsed_us(void) {
    uint32_t ms, count;
    do {
        ms = elapsed_ms;
        count = SYST_CVR;
    } while (ms != elapsed_ms); // a tick landed in between: read again
    return (uint64_t)ms * 1000u + (SYSTICK_RELOAD - count) / (CORE_HZ / 1000000u);
}

mp_uint_t mp_hal_ticks_ms(void) {
    return elapsed_ms;
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)elapsed_us();
}

mp_uint_t mp_hal_ticks_cpu(void) {
    return elapsed_ms * (SYSTICK_RELOAD + 1u) + (SYSTICK_RELOAD - SYST_CVR);
}

uint64_t mp_hal_time_ns(void) {
    // No real-time clock: time.time() counts from boot.
    return elapsed_us() * 1000u;
}

void mp_hal_delay_ms(mp_uint_t ms) {
    mp_uint_t start = mp_hal_ticks_ms();
    while (mp_hal_ticks_ms() - start < ms) {
        mp_event_wait_ms(ms);
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    uint64_t end = elapsed_us() + us;
    while (elapsed_us() < end) {
    }
}

uintptr_t mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ready = poll_flags & MP_STREAM_POLL_WR; // output never blocks
    if ((poll_flags & MP_STREAM_POLL_RD) && rx_head != rx_tail) {
        ready |= MP_STREAM_POLL_RD;
    }
    return ready;
}

int mp_hal_stdin_rx_chr(void) {
    while (rx_head == rx_tail) {
        __asm volatile ("wfi");
    }
    int c = rx_buf[rx_tail % RX_SIZE];
    rx_tail += 1;
    // Room again: take what waited in the UART (interrupts off: one producer at a time).
    __asm volatile ("cpsid i");
    uart_drain();
    __asm volatile ("cpsie i");
    return c;
}

// machine.lightsleep(ms): tickless. The SysTick counts one long period instead of
// interrupting every ms, so the core stays in wfi and QEMU leaves the host alone;
// the clock gains the time slept (to the ms, the partial ms at each end dropped). A
// received byte ends it early. Without ms: until an interrupt, at most one period.
#define SYST_CSR_COUNTFLAG (1u << 16)
#define SCB_ICSR REG32(0xe000ed04)
#define ICSR_PENDSTCLR (1u << 25)
#define LONGEST_PERIOD_MS (0xffffffu / (CORE_HZ / 1000u)) // 24-bit counter: 671 ms

static bool sleep_period(uint32_t ms) {
    // True when the whole period passed (no other interrupt woke the core).
    uint32_t reload = ms * (CORE_HZ / 1000u) - 1u;
    __asm volatile ("cpsid i");
    SYST_CSR = 0;
    SYST_RVR = reload;
    SYST_CVR = 0;
    long_period_ms = ms;
    SYST_CSR = 7;
    __asm volatile ("wfi");   // (an interrupt pending ends it even with them masked)
    uint32_t csr = SYST_CSR;  // (reading clears COUNTFLAG)
    uint32_t cvr = SYST_CVR;
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    bool whole = (csr & SYST_CSR_COUNTFLAG) != 0;
    elapsed_ms += whole ? ms : (reload - cvr) / (CORE_HZ / 1000u);
    long_period_ms = 0;
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7;
    __asm volatile ("cpsie i"); // the UART's handler runs now, if it woke us
    return whole;
}

static mp_obj_t board_lightsleep(size_t n_args, const mp_obj_t *args) {
    (void)MP_QSTR_lightsleep; // (makes the qstr: machine's entry for it is a macro)
    mp_int_t ms = n_args ? mp_obj_get_int(args[0]) : (mp_int_t)LONGEST_PERIOD_MS;
    while (ms > 0) {
        uint32_t period = ms > (mp_int_t)LONGEST_PERIOD_MS ? LONGEST_PERIOD_MS : (uint32_t)ms;
        if (!sleep_period(period)) {
            break;
        }
        ms -= period;
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(board_lightsleep_obj, 0, 1, board_lightsleep);

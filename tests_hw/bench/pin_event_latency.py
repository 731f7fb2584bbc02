# asyncio.PinEvent latency: from an edge (the IRQ handler called in another
# thread, as a hard IRQ interrupts: it counts and sets a ThreadSafeFlag) to
# the waiting task running, in microseconds; with the loop idle and with
# 10 other tasks switching. Needs _thread (unix).
#   micropython tests_hw/bench/pin_event_latency.py [N]
# Prints "BENCH pin_event_<idle|busy>_<median|max> <us> us".
import asyncio
import sys
import time
import _thread

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200


class Pin:
    IRQ_FALLING = 1
    IRQ_RISING = 2

    def __init__(self):
        self.level = 0
        self.handler = None

    def value(self):
        return self.level

    def irq(self, handler=None, trigger=3, hard=False):
        self.handler = handler


def edges(pin, stamps, go):
    # One edge per 2 ms, each once the loop took the last one.
    for i in range(N):
        while not go[0]:
            time.sleep_ms(1)
        go[0] = 0
        time.sleep_ms(2)
        pin.level ^= 1
        stamps[i] = time.ticks_us()
        pin.handler(pin)


async def spin():
    while True:
        await asyncio.sleep_ms(0)


async def measure(busy):
    pin = Pin()
    pe = asyncio.PinEvent(pin)
    stamps = [0] * N
    lat = [0] * N
    go = [1]
    spinners = [asyncio.create_task(spin()) for _ in range(10 if busy else 0)]
    _thread.start_new_thread(edges, (pin, stamps, go))
    for i in range(N):
        await pe.wait()
        lat[i] = time.ticks_diff(time.ticks_us(), stamps[i])
        pe.edges()
        go[0] = 1
    for t in spinners:
        t.cancel()
    pe.close()
    lat.sort()
    return lat[N // 2], lat[-1]


for busy in (False, True):
    med, top = asyncio.run(measure(busy))
    name = "busy" if busy else "idle"
    print("BENCH pin_event_%s_median %d us" % (name, med))
    print("BENCH pin_event_%s_max %d us" % (name, top))
    asyncio.new_event_loop()

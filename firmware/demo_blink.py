# The asyncio docs' two-LED blink example, printing instead of toggling pins.
# `make run` sends this file to the board over its serial port.
import asyncio
import time


class PrintLED:
    def __init__(self, name):
        self.name = name
        self.toggles = 0

    def on(self):
        self.toggles += 1
        print(time.ticks_diff(time.ticks_ms(), START), "ms", self.name, "on")

    def off(self):
        self.toggles += 1


async def blink(led, period_ms):
    while True:
        led.on()
        await asyncio.sleep_ms(5)
        led.off()
        await asyncio.sleep_ms(period_ms)


async def main(led1, led2):
    asyncio.create_task(blink(led1, 700))
    asyncio.create_task(blink(led2, 400))
    await asyncio.sleep_ms(2_000)


START = time.ticks_ms()
leds = PrintLED("LED1"), PrintLED("LED2")
asyncio.run(main(*leds))
try:
    import _buildinfo

    build = _buildinfo.build_id
except ImportError:
    build = "unknown"
try:
    import _asyncio  # noqa: F401

    accel = "with the _asyncio C module"
except ImportError:
    accel = "pure Python"

print("toggles:", leds[0].toggles, leds[1].toggles)
print("asyncio", asyncio.__version__, accel, "| build", build)

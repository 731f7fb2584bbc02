# A program written against micropython-async v3 runs unchanged on our
# image: its imports, a Pushbutton with callbacks and bound Events, a
# Switch, an Encoder with a callback, Delay_ms and threadsafe's Message.
# Only the pins are doubles (an edge calls the IRQ handler at once, as an
# IRQ would). Everything is ordered by events, never by racing sleeps.
import asyncio
from primitives import Pushbutton, Switch, Encoder, Delay_ms
from threadsafe import Message


class PinDouble:
    IRQ_FALLING = 1
    IRQ_RISING = 2

    def __init__(self, level):
        self.level = level
        self.handler = None

    def value(self):
        return self.level

    def irq(self, handler=None, trigger=3, hard=False):
        self.handler = handler

    def set(self, level):
        if level != self.level:
            self.level = level
            if self.handler:
                self.handler(self)


msg = Message()


def toggle(led):
    led[0] ^= 1
    print("toggle", led[0])


async def main():
    led = [0]
    pin = PinDouble(1)  # pushbutton to ground, pulled up
    pb = Pushbutton(pin)
    pb.press_func(toggle, (led,))  # Note how function and args are passed
    pb.release_func(None)
    delay = Delay_ms(duration=200)
    pin.set(0)
    delay.trigger()
    await delay.wait()  # let the button be held a while
    pin.set(1)
    await pb.release.wait()
    print("released, led", led[0])

    sw_pin = PinDouble(1)
    sw = Switch(sw_pin)
    sw.close_func(msg.set, ("closed",))
    sw_pin.set(0)
    print("message:", await msg)
    msg.clear()

    px, py = PinDouble(0), PinDouble(0)

    def moved(v, delta):
        msg.set((v, delta))

    enc = Encoder(px, py, callback=moved)
    for a, b in ((0, 1), (1, 1), (1, 0), (0, 0)) * 3:
        px.set(a)
        py.set(b)
    print("encoder:", await msg, enc.value())
    for obj in (pb, sw, enc, delay):
        obj.deinit()


try:
    asyncio.run(main())
finally:
    asyncio.new_event_loop()

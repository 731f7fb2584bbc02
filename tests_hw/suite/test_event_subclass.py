# An Event subclass that overrides __iter__ and wait() and calls the base
# wait() from them (the pattern of Peter Hinch's Message): `await msg` and
# `await msg.wait()` both give the payload, with either core.
# MicroPython-only (await goes through __iter__): expected output in .exp.
import asyncio


class Msg(asyncio.Event):
    def __init__(self):
        super().__init__()
        self.data = None

    def set(self, data=None):
        self.data = data
        super().set()

    def __iter__(self):
        yield from self.wait()
        return self.data

    async def wait(self):
        await super().wait()
        return self.data


async def setter(m, value):
    await asyncio.sleep_ms(20)
    m.set(value)


async def main():
    m = Msg()
    asyncio.create_task(setter(m, 42))
    print("await m.wait():", await m.wait())
    m.clear()
    asyncio.create_task(setter(m, 43))
    print("await m:", await m)


asyncio.run(main())

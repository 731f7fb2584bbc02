# requires: lightsleep
# machine.lightsleep() inside a task: the CPU stops for at least its time and
# the loop's timers still fire afterwards, in order. A board without
# machine.lightsleep, or whose emulator cannot come back from it (board.json
# "emulator_lacks"), skips.
import hwtest
from hwtest import eq, true

lightsleep = hwtest.require("machine.lightsleep")
import asyncio  # noqa: E402  (imports follow the file's feature checks)
import time  # noqa: E402  (imports follow the file's feature checks)


async def test_lightsleep_in_a_task():
    order = []

    async def sleeper(ms, name):
        await asyncio.sleep_ms(ms)
        order.append(name)

    tasks = [asyncio.create_task(sleeper(200, "late")), asyncio.create_task(sleeper(100, "early"))]
    await asyncio.sleep(0)
    start = time.ticks_ms()
    lightsleep(20)
    true(time.ticks_diff(time.ticks_ms(), start) >= 20, "slept at least 20 ms")
    for t in tasks:
        await asyncio.wait_for(t, 10)
    eq(order, ["early", "late"])


hwtest.main()

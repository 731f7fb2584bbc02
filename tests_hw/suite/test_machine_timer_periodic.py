# requires: periodic_timer
# A periodic machine.Timer counts on while the loop runs other tasks, and
# its last tick is relayed to an Event two tasks wait on. The runner skips
# it where the board's emulator cannot keep a periodic timer going
# (Espressif's QEMU on a loaded host: board.json "emulator_lacks").
import hwtest
from hwtest import eq, true

hwtest.require("machine.Timer")
hwtest.require("asyncio.ThreadSafeFlag")
import asyncio  # noqa: E402  (imports follow the file's feature checks)


timer = hwtest.machine_timer


async def test_periodic_ticks_while_tasks_run_then_event():
    # Ten ticks 5 ms apart; the tenth wakes a relay task that sets an Event
    # two other tasks wait on, while a busy task keeps yielding meanwhile.
    flag = asyncio.ThreadSafeFlag()
    done = asyncio.Event()
    ticks = [0]
    rounds = [0]

    def tick(t):
        # (A tick already queued for the scheduler may still come after deinit().)
        if ticks[0] < 10:
            ticks[0] += 1
            if ticks[0] == 10:
                t.deinit()
                flag.set()

    async def busy():
        while not done.is_set():
            rounds[0] += 1
            await asyncio.sleep(0)

    async def relay():
        await flag.wait()
        done.set()

    async def waiter():
        await done.wait()
        return ticks[0]

    spinner = asyncio.create_task(busy())
    relayer = asyncio.create_task(relay())
    waiters = [asyncio.create_task(waiter()) for _ in range(2)]
    t = timer(5, tick, periodic=True)
    try:
        for w in waiters:
            eq(await asyncio.wait_for(w, 10), 10, "ticks when the Event was set")
        await relayer
        await spinner
    finally:
        t.deinit()
    true(rounds[0] > 0, "the loop ran other tasks while the timer ticked")
    await hwtest.flush_schedule()


hwtest.main()

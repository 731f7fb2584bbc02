# MicroPython's single event loop: get_event_loop() always returns it,
# new_event_loop() resets it (pending tasks are dropped), run() must not
# return while its main task is still waiting on an Event with nothing else
# queued (stock 1.25 exits early there - fixed upstream in 1.27/1.28 - ours
# must pass), close() is harmless.
import asyncio
import hwtest
from hwtest import eq, true

hwtest.require("asyncio.sleep_ms")  # MicroPython loop semantics
import time  # noqa: E402  (imports follow the file's feature checks)


def test_get_event_loop_is_one_loop():
    true(asyncio.get_event_loop() is asyncio.get_event_loop(), "same loop twice")
    loop = asyncio.new_event_loop()
    true(asyncio.get_event_loop() is loop, "new_event_loop returns the loop now in use")


def test_new_event_loop_drops_pending_tasks():
    ran = []

    async def record(name):
        ran.append(name)

    asyncio.create_task(record("dropped"))
    asyncio.new_event_loop()
    asyncio.run(record("main"))
    eq(ran, ["main"])


def test_new_event_loop_drops_sleeping_tasks():
    ran = []

    async def late():
        await asyncio.sleep_ms(10)
        ran.append("late")

    async def main():
        asyncio.create_task(late())
        await asyncio.sleep(0)

    asyncio.run(main())  # returns while late() still sleeps
    asyncio.new_event_loop()
    asyncio.run(main_sleep(30))
    eq(ran, [], "sleeping task of the old loop state never woke")


async def main_sleep(ms):
    await asyncio.sleep_ms(ms)


def test_tasks_left_over_run_with_next_run():
    # without new_event_loop, tasks survive between runs (tutorial 7.2)
    ran = []

    async def late():
        await asyncio.sleep_ms(5)
        ran.append("late")

    async def main():
        asyncio.create_task(late())

    asyncio.new_event_loop()
    asyncio.run(main())
    asyncio.run(main_sleep(30))
    eq(ran, ["late"])


def test_run_waits_for_main_with_empty_queue():
    micropython = hwtest.require("micropython")
    ev = asyncio.Event()
    deadline = time.ticks_add(time.ticks_ms(), 30)

    # A self-rescheduling soft callback is the only thing that sets the
    # event: while main waits the task queue is empty and there is no I/O.
    # (Event.set from a scheduled callback is safe here: nothing else runs.)
    def tick(_):
        if time.ticks_diff(time.ticks_ms(), deadline) >= 0:
            ev.set()
        else:
            micropython.schedule(tick, None)

    async def main():
        micropython.schedule(tick, None)
        await ev.wait()
        return "main finished"

    asyncio.new_event_loop()
    eq(asyncio.run(main()), "main finished")


def test_run_until_complete_on_loop():
    loop = asyncio.new_event_loop()

    async def value():
        await asyncio.sleep_ms(1)
        return 3

    eq(loop.run_until_complete(value()), 3)
    eq(loop.run_until_complete(loop.create_task(value())), 3)


def test_close_then_run_again():
    loop = asyncio.get_event_loop()
    loop.close()
    asyncio.new_event_loop()
    eq(asyncio.run(main_sleep(1)), None)


def test_run_forever_stop_before_start():
    # stop() with nothing running is harmless; run_forever still stops later
    loop = asyncio.new_event_loop()
    loop.stop()
    steps = []

    async def stop_soon():
        await asyncio.sleep_ms(5)
        steps.append("stopping")
        loop.stop()
        await asyncio.sleep_ms(5)
        steps.append("resumed")
        loop.stop()  # run_forever must not return on its own

    loop.create_task(stop_soon())
    loop.run_forever()
    eq(steps, ["stopping"], "ran until stop(), not beyond")
    loop.run_forever()
    eq(steps, ["stopping", "resumed"], "next run_forever picks up")


hwtest.main()

# Debug mode and the call-graph dump. loop.set_debug()/get_debug(),
# asyncio.run(debug=True) and loop.slow_callback_duration are CPython 3.11's;
# the report (through the loop's exception handler: task name, coroutine,
# what it waits on next) and the graph (CPython 3.14's capture_call_graph()
# /print_call_graph() idea, made of tasks: MicroPython's coroutines have no
# frames) are ours. Durations run on the test clock: the "blocking" step
# moves the clock itself, so every duration is exact.
import asyncio

import hwtest


def capture():
    seen = []
    asyncio.get_event_loop().set_exception_handler(lambda loop, ctx: seen.append(ctx))
    return seen


def blocking_program(clock, block_ms):
    async def blocker():
        await asyncio.sleep_ms(1)
        clock.advance(block_ms)  # a step that holds the loop for block_ms
        await asyncio.sleep_ms(50)

    async def main(clock):
        t = asyncio.create_task(blocker())
        t.set_name("blocker")
        await t

    return main


def test_run_debug_true_sets_it_for_the_run_only():
    loop = asyncio.get_event_loop()
    hwtest.eq(loop.get_debug(), False, "off by default")
    inside = []

    async def main():
        inside.append(asyncio.get_running_loop().get_debug())

    asyncio.run(main(), debug=True)
    hwtest.eq(inside, [True])
    if hwtest.MICROPYTHON:  # (CPython's run() closes its loop)
        hwtest.eq(asyncio.get_event_loop().get_debug(), False, "after the run")


def test_off_costs_the_loop_nothing():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("our kernel")
    k = asyncio._kernel
    loop = asyncio.get_event_loop()
    hwtest.true(k.run_one is k._core.run_one and k.run_ready is k._core.run_ready, "core's")
    loop.set_debug(True)
    hwtest.true(k.run_one is not k._core.run_one, "timed while on")
    loop.set_debug(False)
    hwtest.true(k.run_one is k._core.run_one, "core's own again")


def test_slow_step_is_reported_with_task_and_coroutine():
    slow = _slow_reports(300, None)
    hwtest.eq(len(slow), 1, "one slow step")
    msg = slow[0]["message"]
    hwtest.true("<Task blocker blocker()>" in msg, msg)
    hwtest.true("took 0.300 seconds" in msg, msg)
    hwtest.true("then: sleeping, due in 50 ms" in msg, msg)
    hwtest.eq(slow[0]["task"].get_name(), "blocker")


def _slow_reports(block_ms, threshold, debug=True):
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("no test clock on CPython")

    def make(clock):
        loop = asyncio.get_event_loop()
        loop.set_debug(debug)
        if threshold is not None:
            loop.slow_callback_duration = threshold
        return blocking_program(clock, block_ms)(clock)

    got = capture()
    try:
        hwtest.run_timed(make)
    finally:
        asyncio.get_event_loop().set_exception_handler(None)
        asyncio.get_event_loop().slow_callback_duration = 0.1
    return [c for c in got if c["message"].startswith("Executing")]


def test_threshold_is_slow_callback_duration():
    if not hwtest.MICROPYTHON:
        raise hwtest.Skip("no test clock on CPython")
    hwtest.eq(asyncio.get_event_loop().slow_callback_duration, 0.1, "CPython's default")
    hwtest.eq(len(_slow_reports(99, None)), 0, "99 ms under 0.1 s")
    hwtest.eq(len(_slow_reports(100, None)), 1, "100 ms reaches it")
    hwtest.eq(len(_slow_reports(300, 0.5)), 0, "raised to 0.5 s")
    hwtest.eq(len(_slow_reports(30, 0.02)), 1, "lowered to 0.02 s")


def test_no_report_with_debug_off():
    hwtest.eq(len(_slow_reports(300, None, debug=False)), 0)


async def test_unretrieved_exception_reported_in_debug_mode():
    seen = capture()
    loop = asyncio.get_event_loop()
    loop.set_debug(True)
    try:

        async def fails():
            raise ValueError("lost")

        asyncio.create_task(fails())
        for _ in range(3):
            await asyncio.sleep(0)
    finally:
        loop.set_debug(False)
        loop.set_exception_handler(None)
    # (CPython says "was never retrieved", MicroPython "wasn't retrieved")
    msgs = [(c["message"][-9:], str(c.get("exception"))) for c in seen]
    hwtest.eq(msgs, [("retrieved", "lost")])


async def test_call_graph_follows_the_awaits_down():
    if not hwtest.MICROPYTHON:  # (CPython 3.14 has these names)
        raise hwtest.Skip("ours is made of tasks, CPython's of frames")
    ev = asyncio.Event()

    async def inner():
        await ev.wait()

    async def middle(t):
        await t

    i = asyncio.create_task(inner())
    i.set_name("inner")
    m = asyncio.create_task(middle(i))
    m.set_name("middle")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    g = asyncio.capture_call_graph(m)
    hwtest.true(g.future is m, "the task")
    hwtest.eq(len(g.call_stack), 2)
    hwtest.true(g.call_stack[0] is i, "awaits inner")
    hwtest.eq(g.call_stack[1], "waits on Event")
    g = asyncio.capture_call_graph(i)
    hwtest.eq([b.future for b in g.awaited_by], [m], "inner awaited by middle")
    text = asyncio.format_call_graph(m)
    hwtest.eq(
        text,
        "* <Task middle middle()>: <Task inner inner()> -> waits on Event",
    )
    here = asyncio.format_call_graph()
    hwtest.true(here.startswith("* <Task "), here)
    hwtest.true(here.endswith(": running"), here)
    ev.set()
    await m


async def test_dump_every_task_from_outside():
    if not hasattr(asyncio, "dump_tasks"):
        raise hwtest.Skip("a MicroPython extra")
    import io

    out = io.StringIO()

    async def sleeper():
        await asyncio.sleep(10)

    s = asyncio.create_task(sleeper())
    s.set_name("zz-sleeper")
    await asyncio.sleep(0)
    asyncio.dump_tasks(file=out)
    text = out.getvalue()
    hwtest.true("<Task zz-sleeper sleeper()>: sleeping, due in" in text, text)
    s.cancel()


hwtest.main()

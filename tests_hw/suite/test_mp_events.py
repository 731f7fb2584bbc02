# MicroPython extras: ThreadSafeEvent (many waiters, set from outside the
# loop, no task left behind), Message (payload, await, async for), Broker
# (queues, events, functions and coroutines as agents).
import asyncio
import hwtest

hwtest.require("asyncio.ThreadSafeEvent")


async def test_tse_many_waiters_scheduled_set():
    micropython = hwtest.require("micropython")
    ev = asyncio.ThreadSafeEvent()
    woke = []

    async def waiter(n):
        await ev.wait()
        woke.append(n)

    ts = [asyncio.create_task(waiter(n)) for n in range(3)]
    await asyncio.sleep_ms(5)
    hwtest.eq(woke, [], "nobody wakes before set")
    micropython.schedule(lambda _: ev.set(), None)
    await asyncio.wait_for(asyncio.gather(*ts), hwtest.ENDS)
    hwtest.eq(sorted(woke), [0, 1, 2])
    hwtest.true(ev.is_set(), "stays set")
    await ev.wait()  # set: returns at once
    ev.clear()
    hwtest.eq(ev.is_set(), False)
    await hwtest.flush_schedule()


async def test_tse_pump_gone_after_cancel():
    ev = asyncio.ThreadSafeEvent()
    t = asyncio.create_task(ev.wait())
    await asyncio.sleep_ms(5)
    hwtest.true(ev._pump is not None, "pump runs while someone waits")
    t.cancel()
    await asyncio.sleep_ms(5)
    hwtest.true(ev._pump is None, "pump stopped when the last waiter left")


async def test_message_payload():
    m = asyncio.Message()

    async def setter():
        await asyncio.sleep_ms(5)
        m.set("hello")

    asyncio.create_task(setter())
    hwtest.eq(await m, "hello", "await gives the payload")
    hwtest.eq(m.value(), "hello")
    m.clear()
    got = []

    async def reader():
        async for data in m:
            got.append(data)
            if len(got) == 2:
                return

    r = asyncio.create_task(reader())
    for word in ("a", "b"):
        # the next payload once the reader has this one (5 ms apart, a
        # loaded board could set both before the reader ran)
        n = len(got)
        m.set(word)
        for _ in range(1000):
            if len(got) > n:
                break
            await asyncio.sleep_ms(1)
    await asyncio.wait_for(r, hwtest.ENDS)
    hwtest.eq(got, ["a", "b"])


async def test_broker_agents():
    b = asyncio.Broker()
    q = asyncio.RingbufQueue(4)
    ev = asyncio.Event()
    calls = []
    done = asyncio.Event()

    def fn(topic, msg, extra):
        calls.append((topic, msg, extra))

    async def coro(topic, msg):
        calls.append(("coro", msg))
        done.set()

    b.subscribe("t", q)
    b.subscribe("t", ev)
    b.subscribe("t", fn, "x")
    b.subscribe("t", fn, "x")  # twice: still one subscription
    b.subscribe("other", coro)
    b.publish("t", 1)
    b.publish("other", 2)
    b.publish("nobody", 3)
    hwtest.eq(q.get_nowait(), ("t", 1))
    hwtest.true(ev.is_set(), "event agent set")
    hwtest.eq(calls, [("t", 1, "x")])
    await asyncio.wait_for(done.wait(), hwtest.ENDS)
    hwtest.eq(calls[-1], ("coro", 2))
    b.unsubscribe("t", fn)
    b.publish("t", 5)
    hwtest.eq(len(calls), 2, "unsubscribed function not called")
    small = asyncio.Queue(1)
    b.subscribe("full", small)
    b.publish("full", 1)
    b.publish("full", 2)
    hwtest.eq(b.dropped, 1, "full queue drops and counts")
    hwtest.raises(TypeError, lambda: (b.subscribe("bad", 42), b.publish("bad", 0)))


def test_broker_tutorial_forms():
    # The tutorial's broker: subscribe-time args reach queue agents as a
    # third item, publish() without a message sends None, `put` agents,
    # RegExp topics, the shared `broker` instance.
    b = asyncio.Broker()
    q = asyncio.RingbufQueue(8)
    b.subscribe("t", q, "a1", "a2")
    b.subscribe("t", q, "other")  # other args: a second subscription
    b.publish("t")
    hwtest.eq(
        [q.get_nowait(), q.get_nowait()], [("t", None, ("a1", "a2")), ("t", None, ("other",))]
    )
    b.unsubscribe("t", q, "other")
    b.publish("t", 1)
    hwtest.eq(q.get_nowait(), ("t", 1, ("a1", "a2")))
    hwtest.true(q.empty(), "the other subscription is gone")

    class Agent:
        def __init__(self):
            self.got = []

        def put(self, topic, msg, *args):
            self.got.append((topic, msg, args))

    agent = Agent()
    b.subscribe(asyncio.RegExp("sensor/.*"), agent, "rx")
    b.publish("sensor/temp", 21)
    b.publish("actuator", 0)
    b.publish(("sensor/x",), 1)  # not a str: no RegExp match
    hwtest.eq(agent.got, [("sensor/temp", 21, ("rx",))])
    hwtest.true(isinstance(asyncio.broker, asyncio.Broker), "shared instance")


def test_broker_bound_method_agent():
    # A bound method is a new object on each access: subscribing one twice
    # is still one subscription, and unsubscribing it works.
    class Sink:
        def __init__(self):
            self.got = []

        def take(self, topic, msg):
            self.got.append(msg)

    b = asyncio.Broker()
    s = Sink()
    b.subscribe("t", s.take)
    b.subscribe("t", s.take)
    b.publish("t", 1)
    hwtest.eq(s.got, [1], "delivered once")
    b.unsubscribe("t", s.take)
    b.publish("t", 2)
    hwtest.eq(s.got, [1], "nothing after unsubscribe")


hwtest.main()

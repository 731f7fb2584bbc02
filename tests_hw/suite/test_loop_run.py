# expect: cpython
# Loop driving: create_task on the loop, run_forever until stop() (called
# twice is harmless), pending tasks resume on the next run, run_until_complete
# with a task or a coroutine (value or exception), a KeyboardInterrupt from a
# task, close().
import asyncio

loop = asyncio.new_event_loop()
# Holds the pending task until the next run: a sleep could end before
# stop() on a loaded machine.
gate = asyncio.Event()


async def slow(name):
    print(name, "start")
    await gate.wait()
    print(name, "end")
    return name + " result"


async def stopper():
    await asyncio.sleep(0)
    print("stopping")
    loop.stop()
    loop.stop()


async def quick(value):
    await asyncio.sleep(0)
    return value


async def failing():
    await asyncio.sleep(0)
    raise ValueError("from main")


async def interrupted():
    await asyncio.sleep(0)
    raise KeyboardInterrupt


pending = loop.create_task(slow("pending"))
loop.create_task(stopper())
loop.run_forever()
print("run_forever returned, pending done:", pending.done())
gate.set()
print(loop.run_until_complete(pending))
print(loop.run_until_complete(quick("coroutine value")))
print(loop.run_until_complete(loop.create_task(quick("task value"))))
try:
    loop.run_until_complete(failing())
except ValueError as e:
    print("raised:", e)
# A KeyboardInterrupt (as Ctrl-C raises) from a task stops the loop; the
# loop runs again afterwards
try:
    loop.run_until_complete(interrupted())
except KeyboardInterrupt:
    print("KeyboardInterrupt stopped the loop")
print(loop.run_until_complete(quick("after the interrupt")))
# stop() from inside a task that was started by run_forever, twice in a row
for round in range(2):
    loop.create_task(stopper())
    loop.run_forever()
    print("stopped round", round)
loop.close()
print("closed")

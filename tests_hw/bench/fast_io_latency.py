# Timer latency under load, with and without asyncio.fast_io() (tutorial
# section 6.4): an ioctl-polled "millisecond timer" device becomes ready at
# a deadline; N busy tasks each block for BUSY_MS between yields. Latency =
# time from the deadline to the waiting task running again.
# Run: micropython fast_io_latency.py   (prints one line per mode)
import asyncio
import io
import time

N_BUSY = 10
BUSY_MS = 2
PERIOD_MS = 20
SAMPLES = 40

_POLL = 3
_POLL_RD = 1


class MillisecTimer(io.IOBase):
    def __init__(self):
        self.end = 0

    def ioctl(self, req, arg):
        if req == _POLL:
            if arg & _POLL_RD and time.ticks_diff(time.ticks_ms(), self.end) >= 0:
                return _POLL_RD
            return 0
        return -1

    def read(self, n):
        return b"x"


def busy_wait(ms):
    t = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), t) < ms:
        pass


async def busy(stop):
    while not stop[0]:
        busy_wait(BUSY_MS)
        await asyncio.sleep_ms(0)


async def measure():
    timer = MillisecTimer()
    reader = asyncio.StreamReader(timer)
    stop = [False]
    tasks = [asyncio.create_task(busy(stop)) for _ in range(N_BUSY)]
    lat = []
    for _ in range(SAMPLES):
        timer.end = time.ticks_add(time.ticks_ms(), PERIOD_MS)
        await reader.read(1)
        lat.append(time.ticks_diff(time.ticks_ms(), timer.end))
    stop[0] = True
    await asyncio.gather(*tasks)
    lat.sort()
    return sum(lat) / len(lat), lat[len(lat) // 2], lat[-1]


def main():
    print(
        "load: %d tasks blocking %d ms each between yields; %d samples"
        % (N_BUSY, BUSY_MS, SAMPLES)
    )
    for fast in (False, True):
        asyncio.fast_io(fast)
        mean, median, worst = asyncio.run(measure())
        print(
            "fast_io=%-5s timer latency ms: mean %.1f  median %d  max %d"
            % (fast, mean, median, worst)
        )
    asyncio.fast_io(False)


main()

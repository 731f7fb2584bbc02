"""Boards in a labgrid farm: `--board labgrid:<place>` (several: one per place).

Everything farm-specific goes through labgrid's own client API (labgrid.remote.client's
ClientSession, the API behind `labgrid-client`): the place is acquired through the
coordinator, its NetworkSerialPort (ser2net on the exporter, RFC2217) is opened by the
runner as any rfc2217:// port, a power resource of the place (a networked switch, a USB
hub port, ...) is switched by labgrid's power driver for our hard-reset step, and every
place acquired is released at the end, also on Ctrl-C, a failure or exit.

One Farm (one coordinator connection) serves every place of a run. Its asyncio loop
runs in a thread of its own; calls from board threads go through it, one at a time.
"""

import argparse
import asyncio
import atexit
import contextlib
import io
import logging
import os
import threading
import time

from . import errors
from .progress import say
from .targets import PortTarget

PREFIX = "labgrid:"
DEFAULT_COORDINATOR = "127.0.0.1:20408"  # labgrid's own default
COORDINATOR_TIMEOUT = 15.0
# Resource classes labgrid's client switches with a power driver (as `labgrid-client power`).
POWER_RESOURCES = {
    "NetworkPowerPort",
    "NetworkUSBPowerPort",
    "NetworkSiSPMPowerPort",
    "PDUDaemonPort",
    "TasmotaPowerPort",
    "NetworkYKUSHPowerPort",
    "NetworkSysfsGPIO",
}
# How often a board thread asks the coordinator whether its place is still there.
STATE_EVERY = 2.0
# After a power cycle the board boots for a moment before its REPL answers.
BOOT_WAIT = 20.0


def coordinator_address(given=None):
    return given or os.environ.get("LG_COORDINATOR") or DEFAULT_COORDINATOR


class Farm:
    def __init__(self, address):
        self.address = address
        self.session = None
        self.loop = None
        self.acquired = []
        self._lock = threading.Lock()  # one labgrid call at a time
        self._life = threading.RLock()  # acquire/release/close, from any board's thread
        self._thread = None

    # -- the coordinator connection ------------------------------------------
    def connect(self):
        from labgrid.remote.client import start_session

        started, failure = threading.Event(), []

        def serve():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)  # grpc's channel looks for it
            try:
                with _quiet_root_logger():
                    self.session = start_session(
                        self.address,
                        loop=self.loop,
                        extra={"args": argparse.Namespace(allow_unmatched=False, kick=False)},
                    )
            except Exception as e:  # labgrid's Error, or grpc's and the OS's  # noqa: BLE001
                failure.append(e)
            started.set()
            if not failure:
                self.loop.run_forever()
            self.loop.close()

        self._thread = threading.Thread(target=serve, name="labgrid", daemon=True)
        self._thread.start()
        if not started.wait(COORDINATOR_TIMEOUT) or failure:
            why = (
                str(failure[0]).removeprefix("Error: ")
                if failure
                else f"no answer in {COORDINATOR_TIMEOUT:g}s"
            )
            self.session = None
            raise errors.TargetError(
                f"labgrid coordinator {self.address}: {why} (is labgrid-coordinator running? "
                f"--coordinator HOST:PORT or LG_COORDINATOR says where)"
            )
        atexit.register(self.close)

    def _call(self, coroutine_function, *args, timeout=COORDINATOR_TIMEOUT):
        """Run one of the session's coroutines on the farm's loop; what labgrid prints
        ("acquired place X") goes to stderr as whole lines."""
        from labgrid.remote.client import Error

        with self._lock, _chatter_to_stderr():
            future = asyncio.run_coroutine_threadsafe(coroutine_function(*args), self.loop)
            try:
                return future.result(timeout)
            except TimeoutError:
                future.cancel()
                raise errors.TargetError(
                    f"labgrid coordinator {self.address}: no answer in {timeout:g}s"
                ) from None
            except Error as e:
                raise errors.TargetError(str(e).removeprefix("Error: ")) from None

    # -- places ----------------------------------------------------------------
    def acquire(self, place):
        """Acquire `place` for this run; TargetError (one line) if it cannot be had."""
        self._call(self.session.sync_with_coordinator)
        if place not in self.session.places:
            known = ", ".join(sorted(self.session.places)) or "none"
            raise errors.TargetError(
                f"labgrid place {place!r} does not exist at {self.address} (places: {known})"
            )
        with self._life:
            self._call(self.session._acquire_place, place)
            self.acquired.append(place)

    def resources(self, place):
        """{(name, class): labgrid ResourceEntry} of an acquired place."""
        from labgrid.remote.client import Error

        with self._lock:
            try:
                return self.session.get_target_resources(self.session.places[place])
            except Error as e:
                raise errors.TargetError(
                    f"labgrid place {place}: {str(e).removeprefix('Error: ')}"
                ) from None

    def serial_url(self, place, wait=COORDINATOR_TIMEOUT):
        """The URL of the place's console. Asked again at every connection: an exporter
        restarts ser2net, on another port, when a USB board comes back from a reset."""
        ports = [
            (name, entry)
            for (name, cls), entry in self.resources(place).items()
            if cls == "NetworkSerialPort"
        ]
        if not ports:
            raise errors.TargetError(
                f"labgrid place {place} has no NetworkSerialPort (a board's console, "
                f"exported with RawSerialPort or USBSerialPort)"
            )
        _, entry = sorted(ports, key=lambda p: p[0] != "console")[0]  # the one named console first
        # The exporter starts ser2net once the place is acquired, then publishes its port; a
        # USB board being reset is unavailable for a moment. A deleted resource is gone.
        deadline = time.monotonic() + wait
        while True:
            params = entry.data.get("params") or {}
            if params.get("port") is not None and entry.data.get("avail"):
                break
            if "cls" not in entry.data:
                raise errors.TargetError(_gone(place, "?"))
            if time.monotonic() > deadline:
                raise errors.TargetError(
                    f"labgrid place {place}: its exporter did not serve the console in {wait:g}s"
                )
            time.sleep(0.2)
            self._call(self.session.sync_with_coordinator)
        if params.get("protocol") == "raw":
            return f"socket://{params['host']}:{params['port']}"
        # As labgrid's own SerialDriver opens it: ser2net does not answer SET_CONTROL.
        return f"rfc2217://{params['host']}:{params['port']}?ign_set_control"

    def has_power(self, place):
        return any(cls in POWER_RESOURCES for (_, cls) in self.resources(place))

    def power_cycle(self, place):
        """Switch the place's power off and on with labgrid's power driver for its resource."""
        from labgrid.remote.client import Error

        with self._lock, _chatter_to_stderr():
            self.session.args = argparse.Namespace(
                place=place,
                action="cycle",
                delay=None,
                name=None,
                allow_unmatched=False,
                kick=False,
                state=None,
            )
            try:
                self.session.power()
            except (Error, Exception) as e:  # labgrid's drivers raise their own kinds
                raise errors.DeviceUnresponsive(
                    f"labgrid place {place}: power cycle failed: {e}"
                ) from None

    def problem(self, place):
        """None while the place's console is exported; else what the coordinator says is wrong."""
        if self.session is None or self.session.stopping.is_set():
            return f"lost the labgrid coordinator at {self.address}"
        try:
            self._call(self.session.sync_with_coordinator, timeout=5.0)
        except errors.TargetError as e:
            return str(e)
        with self._lock:
            state = self.session.places.get(place)
            if state is None:
                return f"labgrid place {place} was deleted"
            if state.acquired is None:
                return f"labgrid place {place} was released by someone else"
            for exporter, group, cls, name in state.acquired_resources:
                entry = self.session.resources.get(exporter, {}).get(group, {}).get(name)
                if cls != "NetworkSerialPort":
                    continue
                if entry is None or "cls" not in entry.data:
                    return _gone(place, exporter)
                if not entry.data.get("avail"):
                    return f"labgrid place {place}: its console is unavailable (unplugged?)"
        return None

    def release(self, place):
        """Release a place this run acquired; the connection closes with the last one."""
        with self._life:
            self._release(place)

    def _release(self, place):
        if place in self.acquired:
            self.acquired.remove(place)
            try:
                self._call(self.session._release_place, place)
            except errors.FirmwareError as e:
                say(f"labgrid: could not release place {place}: {e}")
        if not self.acquired:
            self.close()

    def release_all(self):
        for place in list(self.acquired):
            self.release(place)

    def close(self):
        with self._life:
            self._close()

    def _close(self):
        if self.session is None:
            return
        try:
            for place in list(self.acquired):
                self.acquired.remove(place)
                with contextlib.suppress(errors.FirmwareError):
                    self._call(self.session._release_place, place)
            self._call(self.session.stop, timeout=5.0)
        except errors.FirmwareError:
            pass
        finally:
            self.session = None
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5.0)
            atexit.unregister(self.close)


class LabgridTarget(PortTarget):
    """A board in a labgrid place: its console is the place's NetworkSerialPort."""

    def __init__(self, farm, place):
        self.farm = farm
        self.place = place
        super().__init__(farm.serial_url(place), label=f"{PREFIX}{place}")
        self.power = farm.has_power(place)
        self._booting = False
        self._state = (0.0, None)  # (when asked, what the coordinator said)

    def _url(self):
        return self.farm.serial_url(self.place, wait=BOOT_WAIT)

    def describe(self):
        power = ", power switch" if self.power else ""
        return f"{self.label} ({self.spec} via {self.farm.address}{power})"

    def open(self):
        try:
            return self._open()
        except errors.FirmwareError as e:
            # Say which place, and what the coordinator knows (its exporter gone, ...).
            ended = self.ended()
            raise errors.TargetError(
                ended[1] if ended else f"labgrid place {self.place}: {e}"
            ) from None

    def _open(self):
        if not self._booting:
            return super().open()
        # Just power-cycled: the board boots before its REPL answers.
        deadline = time.monotonic() + BOOT_WAIT
        while True:
            try:
                session = super().open()
                self._booting = False
                return session
            except errors.FirmwareError:
                if time.monotonic() >= deadline or self.ended():
                    self._booting = False
                    raise
                time.sleep(0.5)

    def hard_reset(self, session):
        if not self.power:
            return super().hard_reset(session)  # machine.reset(), else DTR/RTS
        session.close()
        self.farm.power_cycle(self.place)
        self._booting = True

    def close(self):
        self.farm.release(self.place)

    def ended(self, wait=0.0):
        when, said = self._state
        if wait or time.monotonic() - when >= STATE_EVERY:
            # The coordinator learns of a lost exporter a moment after the line drops.
            deadline = time.monotonic() + wait
            while True:
                said = self.farm.problem(self.place)
                if said or time.monotonic() >= deadline:
                    break
                time.sleep(0.2)
            self._state = (time.monotonic(), said)
        return ("died", said) if said else None


def _require_labgrid():
    try:
        import labgrid  # noqa: F401
    except ImportError:
        raise errors.UsageError(
            "labgrid places need labgrid: make setup (requirements.txt pins it), "
            "or pip install labgrid"
        ) from None


def _gone(place, exporter):
    return f"labgrid place {place}: its console is gone (exporter {exporter} stopped or lost it)"


def places_from_env(path):
    """(places, coordinator address or None) of a labgrid environment file (`--lg-env`): the
    RemotePlace resources of its targets, and its `coordinator_address` option."""
    _require_labgrid()
    from labgrid import Environment
    from labgrid.factory import target_factory

    try:
        env = Environment(config_file=str(path))
        places = []
        for config in env.config.get_targets().values():
            resources, _ = target_factory.normalize_config(config)
            places += [name for name in resources.get("RemotePlace", {}) if name not in places]
        coordinator = env.config.get_option("coordinator_address", None)
    except Exception as e:  # labgrid's config errors are of several kinds  # noqa: BLE001
        raise errors.UsageError(f"labgrid env {path}: {e}") from None
    if not places:
        raise errors.UsageError(f"labgrid env {path}: no target has a RemotePlace resource")
    return places, coordinator


def labgrid_targets(places, address=None):
    """Acquire every place (all or none) and return (farm, targets)."""
    _require_labgrid()
    farm = Farm(coordinator_address(address))
    farm.connect()
    try:
        targets = []
        for place in places:
            farm.acquire(place)
            targets.append(LabgridTarget(farm, place))
        return farm, targets
    except BaseException:
        farm.close()
        raise


@contextlib.contextmanager
def _chatter_to_stderr():
    # labgrid's client prints to stdout, whose last line is the runner's summary. Only this
    # module's calls print while this is on (they hold Farm._lock); board threads write
    # nothing to stdout.
    held = io.StringIO()
    with contextlib.redirect_stdout(held):
        yield
    for line in held.getvalue().splitlines():
        say(line)


@contextlib.contextmanager
def _quiet_root_logger():
    # labgrid logs a refused connection on the root logger, which Python prints when no
    # handler is set up: our own one line says it.
    root = logging.getLogger()
    quiet = logging.NullHandler()
    if not root.handlers:
        root.addHandler(quiet)
    try:
        yield
    finally:
        root.removeHandler(quiet)

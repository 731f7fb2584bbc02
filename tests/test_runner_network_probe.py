"""The runner's "network" feature is a usable interface (a TCP server on 127.0.0.1 that a
client reaches), not a socket module that imports: a Pyboard has the module and no NIC, so
`# requires: network` tests must skip there, saying why, instead of failing. "ipv6" and
"udp_errors" are asked of the stack the same way (the esp32 port has neither)."""

from pathlib import Path

import pytest

from tests_hw.runner import probes
from tests_hw.runner.targets import _open_session, board_target

NEEDS_NETWORK = "# requires: network\nprint('ran')\n"
# A socket module as a board without an interface has it (stm32's "no available NIC").
NO_NIC_SOCKET = """
import sys, socket as _real
class _NoNic:
    def __init__(self, *args):
        pass
    def setsockopt(self, *args):
        pass
    def bind(self, addr):
        raise OSError("no available NIC")
    def close(self):
        pass
class _Module:
    socket = _NoNic
    AF_INET = _real.AF_INET
    SOCK_STREAM = _real.SOCK_STREAM
    SOL_SOCKET = _real.SOL_SOCKET
    SO_REUSEADDR = _real.SO_REUSEADDR
    getaddrinfo = _real.getaddrinfo
sys.modules["socket"] = _Module()
"""


# The esp32 port's: AF_INET6 there, but getaddrinfo gives no address for it; and lwIP's
# UDP, which never hands an ICMP "port unreachable" to the socket (a receive times out).
ESP32_LIKE_SOCKET = """
import sys, socket as _real
class _Module:
    def __getattr__(self, name):
        return getattr(_real, name)
    def getaddrinfo(self, host, port, family=0, *rest):
        found = _real.getaddrinfo(host, port, family, *rest)
        if family == _real.AF_INET6:
            return [f[:4] + (None,) for f in found]
        return found
    def socket(self, family=_real.AF_INET, kind=_real.SOCK_STREAM, *rest):
        s = _real.socket(family, kind, *rest)
        return _DropsIcmp(s) if kind == _real.SOCK_DGRAM else s
class _DropsIcmp:
    def __init__(self, s):
        self.s = s
    def __getattr__(self, name):
        return getattr(self.s, name)
    def send(self, data):
        return len(data)
    def recv(self, n):
        raise OSError(110)
sys.modules["socket"] = _Module()
"""


def _probe(target, before=None):
    target.start()
    try:
        session = _open_session(target.pty)
        try:
            if before:
                done = session.exec(before, timeout=10)
                assert not done.error, done.error
            return probes.probe(session)
        finally:
            session.close()
    finally:
        target.close()


def test_unix_loopback_is_a_network(unix_board):
    features = _probe(unix_board())
    assert features["network"] is True and "network" not in features["why"]


def test_unix_loopback_has_ipv6_and_udp_errors(unix_board):
    features = _probe(unix_board())
    assert (features["ipv6"], features["udp_errors"]) == (True, True), features["why"]


def test_an_esp32_like_stack_lacks_ipv6_and_udp_errors_saying_why(unix_board):
    features = _probe(unix_board(), before=ESP32_LIKE_SOCKET)
    assert features["network"] is True
    assert probes.missing(["network", "ipv6", "udp_errors"], features) == [
        "ipv6 (getaddrinfo('::1') gives no address)",
        "udp_errors (no ICMP port unreachable reaches a UDP socket)",
    ]


def test_without_network_there_is_no_ipv6_nor_udp(qemu_image):
    features = _probe(board_target(f"QEMU_MPS2_AN385={qemu_image}"))
    assert probes.missing(["ipv6", "udp_errors"], features) == [
        "ipv6 (no network)",
        "udp_errors (no network)",
    ]


def test_a_socket_module_without_an_interface_is_no_network(unix_board):
    features = _probe(unix_board(), before=NO_NIC_SOCKET)
    assert features["network"] is False
    assert probes.missing(["network"], features) == [
        "network (127.0.0.1 unreachable: OSError: no available NIC)"
    ]


def test_no_socket_module_is_no_network(qemu_image):
    features = _probe(board_target(f"QEMU_MPS2_AN385={qemu_image}"))
    assert features["network"] is False
    assert probes.missing(["network"], features) == ["network (no socket module)"]


def test_requires_network_runs_or_skips_with_the_reason(
    unix_board, qemu_image, device_suite, run_suite
):
    device_suite("test_net.py", NEEDS_NETWORK, exp="ran\n")
    ran = run_suite([unix_board()], device_suite.dir)["test_net.py"]
    assert ran.status == "pass", ran.message
    skipped = run_suite([board_target(f"QEMU_MPS2_AN385={qemu_image}")], device_suite.dir)[
        "test_net.py"
    ]
    assert (skipped.status, skipped.message) == ("skip", "board lacks network (no socket module)")


def test_pyboard_under_qemu_skips_tcp_for_want_of_a_nic(device_suite, run_suite):
    image = Path(__file__).resolve().parents[1] / "firmware/images/PYBV11_QEMU/firmware.elf"
    if not image.is_file():
        pytest.skip("no PYBV11_QEMU image: make firmware BOARD=PYBV11_QEMU (needs lib/stm32lib)")
    device_suite("test_net.py", NEEDS_NETWORK, exp="ran\n")
    skipped = run_suite([board_target(f"PYBV11_QEMU={image}")], device_suite.dir)["test_net.py"]
    assert skipped.status == "skip" and "no available NIC" in skipped.message, skipped.message


def test_the_reason_is_optional():
    assert probes.missing(["network", "float"], {"network": False, "float": True}) == ["network"]
    assert probes.missing(
        ["threads"], {"threads": False, "why": {"threads": "no _thread module"}}
    ) == ["threads (no _thread module)"]

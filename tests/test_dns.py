"""Name resolution without blocking the loop (issue 19): our DNS client, on both unix images,
against a real dnsmasq the test starts on 127.0.0.1 (an ephemeral port, its own hosts file,
--no-resolv, stopped at the end), and against UDP responders of the test's own in front of it:
one that answers late, one that never answers, one that sends forged answers (wrong id, wrong
question) first, one that truncates (the client must ask again over TCP). A ticker task counts
scheduler rounds meanwhile: a blocking lookup would leave it at 0 or 1."""

import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from firmware.paths import ROOT as PROJECT

IMAGES = {
    "C core": "firmware/images/UNIX/micropython",
    "pure Python": "firmware/images/UNIX-pyonly/micropython",
}
HOSTS = """\
127.0.0.1 web.test
::1 web.test
10.1.2.3 four.test
10.0.0.1 multi.test
10.0.0.2 multi.test
"""
NAMES = {"web.test": "127.0.0.1", "four.test": "10.1.2.3"}


@pytest.fixture(params=sorted(IMAGES))
def image(request):
    path = PROJECT / IMAGES[request.param]
    if not path.is_file():
        pytest.skip(f"no {IMAGES[request.param]}: run make test-images")
    return path


def _free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def dnsmasq(tmp_path_factory):
    """dnsmasq on 127.0.0.1:<ephemeral>, answering .test from its own hosts file only."""
    if not shutil.which("dnsmasq"):
        pytest.skip("dnsmasq missing: make setup (Debian package dnsmasq-base)")
    tmp = tmp_path_factory.mktemp("dnsmasq")
    (tmp / "hosts").write_text(
        HOSTS + "".join(f"10.7.{i // 250}.{i % 250 + 1} n{i}.test\n" for i in range(100))
    )
    for _ in range(10):
        port = _free_port(socket.SOCK_DGRAM)
        proc = subprocess.Popen(
            [
                "dnsmasq",
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                f"--addn-hosts={tmp / 'hosts'}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                f"--port={port}",
                "--pid-file=",
                f"--user={_user()}",
                "--local=/test/",
                "--cname=alias.test,web.test",
                "--log-facility=-",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if _answers(port):
            break
        proc.kill()
        proc.wait()
    else:
        pytest.fail("dnsmasq did not start on any port tried")
    yield port
    proc.terminate()
    proc.wait(10)


def _user():
    import pwd
    import os

    return pwd.getpwuid(os.getuid()).pw_name


def _query(name, qtype=1, ident=0x1234):
    q = struct.pack(">HHHHHH", ident, 0x100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + struct.pack(">BHH", 0, qtype, 1)


def _ask(port, packet, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(packet, ("127.0.0.1", port))
        return s.recv(4096)
    except OSError:
        return None
    finally:
        s.close()


def _answers(port):
    for _ in range(50):
        if _ask(port, _query("web.test"), 0.1):
            return True
    return False


class Responder:
    """A UDP 'name server' on 127.0.0.1 of the test's own: for each query, `behave(query)`
    returns the datagrams to send back (after `delay` s); it may forward to dnsmasq."""

    def __init__(self, behave, delay=0.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.behave, self.delay, self.seen = behave, delay, []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.sock.settimeout(0.05)
        while not self.stop:
            try:
                query, peer = self.sock.recvfrom(4096)
            except OSError:
                continue
            self.seen.append(query)
            replies = self.behave(query)
            if self.delay:
                time.sleep(self.delay)
            for r in replies:
                self.sock.sendto(r, peer)

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close()


def run_program(image, tmp_path, body, timeout=60):
    """Run `body` (the inside of `async def main(ns)`) on the image with a ticker running;
    returns stdout's lines."""
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    source = f"""
import asyncio
turns = [0]
async def ticker():
    while True:
        turns[0] += 1
        await asyncio.sleep(0)
async def lookup(name, **kw):
    return [x[4] for x in await asyncio.get_event_loop().getaddrinfo(name, 80, **kw)]
def ip(sockaddr):
    import socket
    if isinstance(sockaddr, tuple):
        return sockaddr[0]
    family, addr = socket.sockaddr(sockaddr)[:2]
    return socket.inet_ntop(family, addr)
async def main():
    t = asyncio.create_task(ticker())
{indented}
asyncio.run(main())
"""
    program = tmp_path / "program.py"
    program.write_text(source)
    done = subprocess.run(
        [str(image), str(program)], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_names_resolve_through_dnsmasq(image, tmp_path, dnsmasq):
    lines = run_program(
        image,
        tmp_path,
        f"""
asyncio.set_nameserver("127.0.0.1", {dnsmasq})
for name in ("web.test", "four.test", "alias.test", "multi.test", "WEB.Test"):
    print(name, sorted(set(ip(a) for a in await lookup(name))))
print("v4 only", sorted(set(ip(a) for a in await lookup("web.test", family=2))))
print("v6 only", sorted(set(ip(a) for a in await lookup("web.test", family=10))))
""",
    )
    assert lines == [
        "web.test ['127.0.0.1', '::1']",
        "four.test ['10.1.2.3']",
        "alias.test ['127.0.0.1', '::1']",
        "multi.test ['10.0.0.1', '10.0.0.2']",
        "WEB.Test ['127.0.0.1', '::1']",
        "v4 only ['127.0.0.1']",
        "v6 only ['::1']",
    ]


def test_numeric_and_localhost_need_no_server(image, tmp_path):
    # A server that is not there: any query would fail with "refused".
    port = _free_port(socket.SOCK_DGRAM)
    lines = run_program(
        image,
        tmp_path,
        f"""
asyncio.set_nameserver("127.0.0.1", {port}, 0.2, 1)
for name in ("127.0.0.1", "::1", "localhost"):
    print(name, sorted(set(ip(a) for a in await lookup(name))))
r = await asyncio.get_event_loop().getaddrinfo("10.0.0.9", 53, type=2)
print(len(r), r[0][0], r[0][1])
""",
    )
    assert lines == [
        "127.0.0.1 ['127.0.0.1']",
        "::1 ['::1']",
        "localhost ['127.0.0.1', '::1']",
        "1 2 2",
    ]


def test_nxdomain_is_a_clear_oserror(image, tmp_path, dnsmasq):
    lines = run_program(
        image,
        tmp_path,
        f"""
asyncio.set_nameserver("127.0.0.1", {dnsmasq})
for name in ("nope.test", "n5.test"):
    try:
        await lookup(name, family=2)
        print(name, "resolved")
    except OSError as e:
        print(name, e.errno, e.args[1])
""",
    )
    assert lines == [
        f"nope.test -2 nope.test: name not known (NXDOMAIN from name server 127.0.0.1:{dnsmasq})",
        "n5.test resolved",
    ]


def test_a_late_answer_leaves_the_loop_running(image, tmp_path, dnsmasq):
    late = Responder(lambda q: [_ask(dnsmasq, q)], delay=0.4)
    try:
        lines = run_program(
            image,
            tmp_path,
            f"""
asyncio.set_nameserver("127.0.0.1", {late.port}, 5, 1)
before = turns[0]
print(sorted(set(ip(a) for a in await lookup("four.test", family=2))))
print("ticker ran", turns[0] - before > 20)
""",
        )
    finally:
        late.close()
    assert lines == ["['10.1.2.3']", "ticker ran True"]


def test_no_answer_times_out_after_the_retries(image, tmp_path):
    silent = Responder(lambda q: [])
    try:
        lines = run_program(
            image,
            tmp_path,
            f"""
asyncio.set_nameserver("127.0.0.1", {silent.port}, 0.3, 2)
before = turns[0]
try:
    await lookup("web.test", family=2)
except OSError as e:
    print(e.errno, e.args[1])
print("ticker ran", turns[0] - before > 20)
""",
        )
    finally:
        silent.close()
    assert lines == [
        f"-3 web.test: no answer in 600 ms from name server 127.0.0.1:{silent.port}",
        "ticker ran True",
    ]
    assert len(silent.seen) == 2, "one query per try"
    assert silent.seen[0][2:] == silent.seen[1][2:], "the same question asked again"


def test_no_server_listening_is_refused(image, tmp_path):
    port = _free_port(socket.SOCK_DGRAM)
    lines = run_program(
        image,
        tmp_path,
        f"""
asyncio.set_nameserver("127.0.0.1", {port}, 2, 2)
try:
    await lookup("web.test", family=2)
except OSError as e:
    print(e.errno, e.args[1])
""",
    )
    assert lines == [f"-3 web.test: refused from name server 127.0.0.1:{port}"]


def _forged(dnsmasq):
    def behave(query):
        real = _ask(dnsmasq, query)
        wrong_id = bytes([real[0] ^ 0xFF]) + _ask(dnsmasq, _query("four.test", ident=0))[1:]
        other_question = real[:2] + _ask(dnsmasq, _query("four.test"))[2:]
        not_an_answer = real[:2] + bytes([real[2] & 0x7F]) + real[3:]
        return [wrong_id, other_question, not_an_answer, b"\x00", real]

    return behave


def test_forged_answers_are_ignored(image, tmp_path, dnsmasq):
    forger = Responder(_forged(dnsmasq))
    try:
        lines = run_program(
            image,
            tmp_path,
            f"""
asyncio.set_nameserver("127.0.0.1", {forger.port}, 5, 1)
print(sorted(set(ip(a) for a in await lookup("web.test", family=2))))
""",
        )
    finally:
        forger.close()
    assert lines == ["['127.0.0.1']"]


def test_a_truncated_answer_is_asked_again_over_tcp(image, tmp_path, dnsmasq):
    # The responder answers over UDP with TC set and no records; a TCP listener of the
    # test's own on the same port number forwards the retry to dnsmasq.
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def truncated(query):
        r = _ask(dnsmasq, query)
        return [r[:2] + bytes([r[2] | 2, r[3]]) + r[4:6] + bytes(6) + query[12:]]

    cut = Responder(truncated)
    tcp.bind(("127.0.0.1", cut.port))
    tcp.listen(1)
    asked = []

    def serve():
        conn, _ = tcp.accept()
        with conn:
            size = struct.unpack(">H", conn.recv(2))[0]
            query = conn.recv(size)
            asked.append(query)
            real = _ask(dnsmasq, query)
            conn.sendall(struct.pack(">H", len(real)) + real)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        lines = run_program(
            image,
            tmp_path,
            f"""
asyncio.set_nameserver("127.0.0.1", {cut.port}, 5, 1)
print(sorted(set(ip(a) for a in await lookup("four.test", family=2))))
""",
        )
    finally:
        cut.close()
        server.join(5)
        tcp.close()
    assert lines == ["['10.1.2.3']"]
    assert len(asked) == 1 and asked[0][2:] == cut.seen[0][2:], "the same question over TCP"


def test_many_concurrent_lookups(image, tmp_path, dnsmasq):
    lines = run_program(
        image,
        tmp_path,
        f"""
asyncio.set_nameserver("127.0.0.1", {dnsmasq})
async def one(i):
    return ip((await lookup("n%d.test" % i, family=2))[0])
got = await asyncio.gather(*[one(i) for i in range(100)])
print(got == ["10.7.%d.%d" % (i // 250, i % 250 + 1) for i in range(100)])
""",
    )
    assert lines == ["True"]


def test_open_connection_by_name_while_a_ticker_runs(image, tmp_path, dnsmasq):
    # An HTTP fetch of http://web.test:<port>/ from a server the program itself runs.
    lines = run_program(
        image,
        tmp_path,
        f"""
asyncio.set_nameserver("127.0.0.1", {dnsmasq})
async def http(reader, writer):
    while (await reader.readline()).strip():
        pass
    writer.write(b"HTTP/1.0 200 OK\\r\\n\\r\\nhello")
    await writer.drain()
    writer.close()
import time
port = 30000 + int(time.time()) % 20000
server = await asyncio.start_server(http, "web.test", port)
before = turns[0]
reader, writer = await asyncio.open_connection("web.test", port)
writer.write(b"GET / HTTP/1.0\\r\\nHost: web.test\\r\\n\\r\\n")
await writer.drain()
print(await reader.read(-1))
print("ticker ran", turns[0] > before)
writer.close()
server.close()
await server.wait_closed()
""",
    )
    assert lines == ["b'HTTP/1.0 200 OK\\r\\n\\r\\nhello'", "ticker ran True"]

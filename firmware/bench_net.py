"""Networking numbers for BENCHMARKS.md (issue 19): `python3 -m firmware.bench_net`.

On the unix images: UDP round trips per second through our datagram APIs against a plain
blocking-socket loop on the same image; DNS lookups per second through our resolver against a
dnsmasq this script starts on 127.0.0.1; RAM per datagram endpoint; TLS handshakes per second
and bulk MB/s, ours against stock, with `openssl s_server` on 127.0.0.1 and a throwaway
certificate. Wall clock on a shared machine: runs differ by tens of percent. Every server it
starts is stopped at the end. Splices its section into BENCHMARKS.md in place of the old one.
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .paths import ROOT

REPORT = ROOT / "BENCHMARKS.md"
TITLE = "## Networking (issue 19): UDP, DNS, TLS"
IMAGES = ROOT / "firmware/images"

UDP = """
import asyncio, gc, socket, time
N = %(n)d
def addr(port):
    return socket.getaddrinfo("127.0.0.1", port)[0][-1]
P1, P2 = %(p1)d, %(p2)d
async def alloc(trips, n=200):
    # bytes allocated per trip, both ends, with no collection in between
    gc.collect(); gc.disable(); m0 = gc.mem_alloc()
    await trips(n)
    m1 = gc.mem_alloc(); gc.enable()
    return (m1 - m0) // n
def rate(t0, n):
    return n * 1000 // max(1, time.ticks_diff(time.ticks_ms(), t0))

# blocking sockets, same image, no asyncio in the loop
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(addr(P1))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(addr(P2)); b.connect(addr(P1))
msg = b"x" * 32
buf = bytearray(32)  # (readinto() reads on until buf is full: one datagram's size)
t0 = time.ticks_ms()
for _ in range(N):
    b.send(msg)
    data, peer = a.recvfrom(64)
    a.sendto(data, peer)
    b.readinto(buf)
print("blocking", rate(t0, N), 0)
a.close(); b.close()

async def ours_socket():
    s = await asyncio.open_datagram(("127.0.0.1", P1), ("127.0.0.1", P2))
    c = await asyncio.open_datagram(("127.0.0.1", P2), ("127.0.0.1", P1))
    sbuf = bytearray(32); cbuf = bytearray(32)
    async def echo():
        while True:
            n = await s.recv_into(sbuf)
            await s.sendto(memoryview(sbuf)[:n])
    t = asyncio.create_task(echo())
    async def trips(n):
        for _ in range(n):
            await c.sendto(msg)
            await c.recv_into(cbuf)
    await trips(1)
    t0 = time.ticks_ms()
    await trips(N)
    print("open_datagram", rate(t0, N), await alloc(trips))
    t.cancel(); s.close(); c.close()

async def ours_endpoint():
    loop = asyncio.get_event_loop()
    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, tr): self.tr = tr
        def datagram_received(self, data, a): self.tr.sendto(data, a)
    class Client(asyncio.DatagramProtocol):
        def __init__(self): self.ev = asyncio.Event()
        def datagram_received(self, data, a): self.ev.set()
    st, _ = await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", P1))
    ct, cp = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", P1))
    async def trips(n):
        for _ in range(n):
            cp.ev.clear()
            ct.sendto(msg)
            await cp.ev.wait()
    await trips(1)
    t0 = time.ticks_ms()
    await trips(N)
    print("create_datagram_endpoint", rate(t0, N), await alloc(trips))
    st.close(); ct.close()
    await asyncio.sleep(0)

async def ram():
    loop = asyncio.get_event_loop()
    socks = []
    gc.collect(); m0 = gc.mem_alloc()
    for i in range(20):
        socks.append(await asyncio.open_datagram(("127.0.0.1", P1 + 10 + i)))
    gc.collect(); print("ram_open_datagram", (gc.mem_alloc() - m0) // 20)
    for s in socks: s.close()
    socks = []
    gc.collect(); m0 = gc.mem_alloc()
    for i in range(20):
        addr = ("127.0.0.1", P1 + 40 + i)
        made = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=addr)
        socks.append(made[0])
    gc.collect(); print("ram_datagram_endpoint", (gc.mem_alloc() - m0) // 20)
    for t in socks: t.close()
    await asyncio.sleep(0)

asyncio.run(ours_socket())
asyncio.run(ours_endpoint())
asyncio.run(ram())
"""

DNS = """
import asyncio, time
asyncio.set_nameserver("127.0.0.1", %(port)d)
N = %(n)d
async def main():
    loop = asyncio.get_event_loop()
    await loop.getaddrinfo("n0.test", 80, family=2)
    t0 = time.ticks_ms()
    for i in range(N):
        await loop.getaddrinfo("n%%d.test" %% (i %% 100), 80, family=2)
    print("sequential", N * 1000 // max(1, time.ticks_diff(time.ticks_ms(), t0)))
    t0 = time.ticks_ms()
    for r in range(N // 50):
        names = ["n%%d.test" %% i for i in range(50)]
        await asyncio.gather(*[loop.getaddrinfo(n, 80, family=2) for n in names])
    print("concurrent_50", (N // 50) * 50 * 1000 // max(1, time.ticks_diff(time.ticks_ms(), t0)))
asyncio.run(main())
"""

TLS = """
import asyncio, ssl, time
N = %(n)d
def ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.verify_mode = ssl.CERT_REQUIRED
    c.load_verify_locations(cadata=open(%(ca)r, "rb").read())
    return c
async def main():
    c = ctx()
    t0 = time.ticks_ms()
    for _ in range(N):
        r, w = await asyncio.open_connection(
            "127.0.0.1", %(www)d, ssl=c, server_hostname="localhost")
        w.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
        await w.drain()
        # (to the page's end, not to EOF: MicroPython's tls can hold the peer's close_notify
        # in its buffer while poll() sees nothing left on the socket, stock's as ours)
        tail = b""
        while not tail.endswith(b"</HTML>\\r\\n\\r\\n"):
            tail = (tail + await r.read(4096))[-32:]
        w.close()
        await w.wait_closed()
    ms = max(1, time.ticks_diff(time.ticks_ms(), t0))
    print("handshakes", N * 1000 * 10 // ms)
    r, w = await asyncio.open_connection("127.0.0.1", %(sink)d, ssl=c, server_hostname="localhost")
    chunk = bytes(16384)
    size = %(mb)d << 20
    t0 = time.ticks_ms()
    for _ in range(size // len(chunk)):
        w.write(chunk)
        await w.drain()
    ms = max(1, time.ticks_diff(time.ticks_ms(), t0))
    print("bulk", size * 100 // 1048576 * 1000 // ms)
    w.close()
    await w.wait_closed()
asyncio.run(main())
"""


def _free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _run(image, source, tmp):
    program = Path(tmp) / "bench.py"
    program.write_text(source)
    done = subprocess.run(
        [str(image), str(program)], capture_output=True, text=True, timeout=600, cwd=tmp
    )
    if done.returncode:
        raise SystemExit(f"{image}: {done.stdout[-500:]}{done.stderr[-1500:]}")
    return {
        line.split()[0]: [int(x) for x in line.split()[1:]] for line in done.stdout.splitlines()
    }


def _wait_bound(port, kind=socket.SOCK_STREAM):
    for _ in range(200):
        probe = socket.socket(socket.AF_INET, kind)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return
        finally:
            probe.close()
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def _image(name):
    path = IMAGES / name / "micropython"
    if not path.is_file():
        raise SystemExit(f"{path} missing: python3 -m firmware build --board {name.split('-')[0]}")
    return path


def measure(log=print):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ("UNIX", "UNIX-pyonly"):
            log(f"UDP on {name}")
            p1 = _free_port(socket.SOCK_DGRAM)
            out["udp", name] = _run(_image(name), UDP % {"n": 5000, "p1": p1, "p2": p1 + 1}, tmp)
        if shutil.which("dnsmasq"):
            hosts = tmp / "hosts"
            hosts.write_text("".join(f"10.7.0.{i + 1} n{i}.test\n" for i in range(100)))
            port = _free_port(socket.SOCK_DGRAM)
            dns = subprocess.Popen(
                [
                    "dnsmasq",
                    "--keep-in-foreground",
                    "--no-resolv",
                    "--no-hosts",
                    f"--addn-hosts={hosts}",
                    "--listen-address=127.0.0.1",
                    "--bind-interfaces",
                    f"--port={port}",
                    "--pid-file=",
                    "--local=/test/",
                    "--cache-size=1000",
                    f"--user={pwd.getpwuid(os.getuid()).pw_name}",
                ],  # (reads our tmp dir)
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait_bound(port, socket.SOCK_DGRAM)
                for name in ("UNIX", "UNIX-pyonly"):
                    log(f"DNS on {name}")
                    out["dns", name] = _run(_image(name), DNS % {"port": port, "n": 1000}, tmp)
            finally:
                dns.terminate()
                dns.wait()
        cert, key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-keyout",
                key,
                "-out",
                cert,
                "-days",
                "1",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["openssl", "x509", "-in", cert, "-outform", "der", "-out", tmp / "cert.der"],
            check=True,
        )
        www, sink = _free_port(), _free_port()
        # (stdin a pipe kept open: at the end of its input s_server ends the connection)
        servers = [
            subprocess.Popen(
                [
                    "openssl",
                    "s_server",
                    "-accept",
                    f"127.0.0.1:{p}",
                    "-cert",
                    cert,
                    "-key",
                    key,
                    *args,
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for p, args in ((www, ["-www"]), (sink, ["-quiet"]))
        ]
        try:
            _wait_bound(www)
            _wait_bound(sink)
            for name in ("UNIX", "UNIX_STOCK"):
                log(f"TLS on {name}")
                out["tls", name] = _run(
                    _image(name),
                    TLS
                    % {"n": 50, "ca": str(tmp / "cert.der"), "www": www, "sink": sink, "mb": 16},
                    tmp,
                )
                sink_again = servers[1]
                sink_again.kill()
                sink_again.wait()
                servers[1] = subprocess.Popen(
                    [
                        "openssl",
                        "s_server",
                        "-accept",
                        f"127.0.0.1:{sink}",
                        "-cert",
                        cert,
                        "-key",
                        key,
                        "-quiet",
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                _wait_bound(sink)
        finally:
            for s in servers:
                s.kill()
                s.wait()
    return out


def section(r):
    udp, c = r["udp", "UNIX"], r["udp", "UNIX-pyonly"]
    lines = [
        TITLE,
        "",
        "`python3 -m firmware.bench_net` (about a minute; splices this section in). Wall clock on",
        "the unix images, 127.0.0.1, one process unless said; a shared machine, so runs differ by",
        "tens of percent.",
        "",
        "| UDP, 32-byte round trips, both ends in one process | C core: trips/s | B "
        "allocated/trip (both ends) | pure Python: trips/s |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("blocking", "blocking sockets, no asyncio (the floor)"),
        ("open_datagram", "`open_datagram`: `sendto` + `recv_into`, echo task"),
        ("create_datagram_endpoint", "`create_datagram_endpoint`, echo protocol, Event per reply"),
    ):
        lines.append(f"| {label} | {udp[key][0]:,} | {udp[key][1]} | {c[key][0]:,} |")
    lines += [
        "",
        "Nothing is allocated for the data by `recv_into()`, and with the C core nothing by "
        "the awaits",
        "either (its awaitable hands back the result without a StopIteration): what remains "
        "is the echo",
        "task's `memoryview(buf)[:n]`. The pure-Python core makes a StopIteration (96 B here) "
        "for each",
        "await that returns a value. The endpoint makes a bytes object and a (host, port) per "
        "datagram,",
        "as CPython's API asks.",
        "",
        f"RAM per endpoint (C core, after `gc.collect()`, socket included): `open_datagram` "
        f"{udp['ram_open_datagram'][0]} B (its two reusable awaitables included), "
        f"`create_datagram_endpoint` {udp['ram_datagram_endpoint'][0]} B (its reader task and "
        "protocol "
        "object included).",
        "",
    ]
    if ("dns", "UNIX") in r:
        d, dp = r["dns", "UNIX"], r["dns", "UNIX-pyonly"]
        lines += [
            "| DNS lookups against dnsmasq (A, from its hosts file) | C core | pure Python |",
            "|---|---|---|",
            f"| one at a time, lookups/s | {d['sequential'][0]:,} | {dp['sequential'][0]:,} |",
            f"| 50 at once (`gather`), lookups/s | {d['concurrent_50'][0]:,} | "
            f"{dp['concurrent_50'][0]:,} |",
            "",
        ]
    t, s = r["tls", "UNIX"], r["tls", "UNIX_STOCK"]
    lines += [
        "| TLS client, `openssl s_server` (ECDSA P-256, TLS 1.2/1.3 as mbedtls 3.6.6 offers) | "
        "ours | stock |",
        "|---|---|---|",
        f"| handshake + `GET /` of `-www` + close, per s | {t['handshakes'][0] / 10:.1f} | "
        f"{s['handshakes'][0] / 10:.1f} |",
        f"| bulk send, 16 KB writes, MB/s | {t['bulk'][0] / 100:.1f} | {s['bulk'][0] / 100:.1f} |",
        "",
        "Both images link the same mbedtls (Debian's 3.6.6) and `ssl` module; the crypto "
        "dominates, so",
        "the two asyncio packages are level within the noise. The client reads the page to its "
        "end, not",
        "to EOF: MicroPython's `tls` can keep the peer's close_notify in its buffer while "
        "`poll()` sees",
        "nothing left on the socket, so a read-to-EOF waits (stock's as ours).",
        "",
    ]
    return lines


def splice(lines):
    text = REPORT.read_text() if REPORT.is_file() else ""
    new = "\n".join(lines) + "\n"
    start = text.find(TITLE)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + new + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    REPORT.write_text(text)


def main():
    lines = section(measure())
    print("\n".join(lines))
    splice(lines)


if __name__ == "__main__":
    sys.exit(main())

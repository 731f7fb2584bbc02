"""TLS through our streams (issue 19), on both unix images built with mbedtls: open_connection(
ssl=SSLContext) against `openssl s_server`, start_server(ssl=...) against `openssl s_client`, on
127.0.0.1 with a throwaway self-signed certificate the test makes; a megabyte each way, a peer
that closes in the middle of a record, and a certificate the client does not trust."""

import hashlib
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

from firmware.paths import ROOT as PROJECT

IMAGES = {
    "C core": "firmware/images/UNIX/micropython",
    "pure Python": "firmware/images/UNIX-pyonly/micropython",
}
BULK = 1 << 20


def bulk_bytes():
    return bytes(i * 7 % 251 for i in range(BULK))


@pytest.fixture(params=sorted(IMAGES))
def image(request):
    path = PROJECT / IMAGES[request.param]
    if not path.is_file():
        pytest.skip(f"no {IMAGES[request.param]}: run make test-images")
    has = subprocess.run([str(path), "-c", "import ssl"], capture_output=True)
    if has.returncode:
        pytest.skip(f"{IMAGES[request.param]} has no ssl: built without lib/mbedtls")
    return path


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A self-signed certificate for localhost/127.0.0.1 (PEM for openssl, DER for mbedtls) and
    another one, self-signed too, that nobody trusts."""
    if not shutil.which("openssl"):
        pytest.skip("openssl missing: make setup (Debian package openssl)")
    tmp = tmp_path_factory.mktemp("tls")
    for name, extra in (
        ("good", ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]),
        ("other", []),
    ):
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
                tmp / f"{name}.key",
                "-out",
                tmp / f"{name}.pem",
                "-days",
                "2",
                "-nodes",
                "-subj",
                "/CN=localhost",
                *extra,
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "openssl",
                "x509",
                "-in",
                tmp / f"{name}.pem",
                "-outform",
                "der",
                "-out",
                tmp / f"{name}.der",
            ],
            check=True,
        )
        subprocess.run(
            [
                "openssl",
                "pkey",
                "-in",
                tmp / f"{name}.key",
                "-outform",
                "der",
                "-out",
                tmp / f"{name}.key.der",
            ],
            check=True,
        )
    return tmp


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, seconds=20):
    """Until something holds 127.0.0.1:port (found by failing to bind it: a probe connection
    would use up a server that takes one)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"server exited early: {proc.stdout.read() if proc.stdout else ''}"
            )
        probe = socket.socket()
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return
        finally:
            probe.close()
        time.sleep(0.05)
    raise AssertionError("server never listened")


def s_server(certs, name, port, out):
    """openssl s_server on 127.0.0.1:port for one connection, writing what it receives to out."""
    proc = subprocess.Popen(
        [
            "openssl",
            "s_server",
            "-accept",
            f"127.0.0.1:{port}",
            "-cert",
            certs / f"{name}.pem",
            "-key",
            certs / f"{name}.key",
            "-quiet",
            "-naccept",
            "1",
        ],
        stdin=subprocess.PIPE,
        stdout=out,
        stderr=subprocess.DEVNULL,
    )
    return proc


def run(image, tmp_path, source, timeout=120):
    program = tmp_path / "program.py"
    program.write_text(source)
    done = subprocess.run(
        [str(image), str(program)], capture_output=True, text=True, timeout=timeout, cwd=tmp_path
    )
    return done.stdout + done.stderr


CLIENT = """
import asyncio, ssl
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile={ca!r})
    turns = [0]
    async def tick():
        while True:
            turns[0] += 1
            await asyncio.sleep(0)
    asyncio.create_task(tick())
    try:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", {port}, ssl=ctx, server_hostname="localhost")
        {body}
    except Exception as e:
        print("error", type(e).__name__, repr(str(e).strip()))
asyncio.run(main())
"""


def test_client_handshake_and_bulk_to_s_server(image, tmp_path, certs):
    port = free_port()
    received = tmp_path / "received"
    with received.open("wb") as out:
        server = s_server(certs, "good", port, out)
        try:
            wait_listening(port, server)
            said = run(
                image,
                tmp_path,
                CLIENT.format(
                    ca=str(certs / "good.der"),
                    port=port,
                    body="""
        data = bytes(i * 7 %% 251 for i in range(%d))
        for i in range(0, len(data), 16384):
            writer.write(data[i:i + 16384])
            await writer.drain()
        print("sent", len(data), "ticker ran", turns[0] > 10)
        writer.close()
        await writer.wait_closed()"""
                    % BULK,
                ),
            )
            server.wait(60)
        finally:
            server.kill()
            server.wait()
    assert said.strip() == f"sent {BULK} ticker ran True", said
    got = received.read_bytes()
    assert (
        len(got) == BULK and hashlib.sha256(got).digest() == hashlib.sha256(bulk_bytes()).digest()
    )


def test_an_untrusted_certificate_is_refused(image, tmp_path, certs):
    port = free_port()
    with (tmp_path / "log").open("wb") as out:
        server = s_server(certs, "other", port, out)
        try:
            wait_listening(port, server)
            said = run(
                image,
                tmp_path,
                CLIENT.format(
                    ca=str(certs / "good.der"),
                    port=port,
                    body="""
        writer.write(b"hello")
        await writer.drain()
        print("read", await reader.read(10))""",
                ),
            )
        finally:
            server.kill()
            server.wait()
    # mbedtls's verdict, at the handshake (the first read or write)
    assert (
        said.strip()
        == "error ValueError 'The certificate is not correctly signed by the trusted CA'"
    ), said


def test_server_bulk_to_s_client(image, tmp_path, certs):
    port = free_port()
    program = tmp_path / "server.py"
    program.write_text(f"""
import asyncio, ssl
done = asyncio.Event()
async def handler(reader, writer):
    hello = await reader.readline()
    data = bytes(i * 7 % 251 for i in range({BULK}))
    writer.write(hello)
    for i in range(0, len(data), 16384):
        writer.write(data[i:i + 16384])
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    done.set()
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain({str(certs / "good.der")!r}, {str(certs / "good.key.der")!r})
    server = await asyncio.start_server(handler, "127.0.0.1", {port}, ssl=ctx)
    await asyncio.wait_for(done.wait(), 60)
    server.close()
    await server.wait_closed()
    print("served")
asyncio.run(main())
""")
    ours = subprocess.Popen(
        [str(image), str(program)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_listening(port, ours)
        client = subprocess.run(
            [
                "openssl",
                "s_client",
                "-connect",
                f"127.0.0.1:{port}",
                "-quiet",
                "-CAfile",
                certs / "good.pem",
                "-verify_return_error",
                "-servername",
                "localhost",
            ],
            input=b"hi there\n",
            capture_output=True,
            timeout=60,
        )
        said = ours.communicate(timeout=60)[0].decode()
    finally:
        ours.kill()
        ours.wait()
    assert client.stdout[:9] == b"hi there\n", client.stderr[-500:]
    body = client.stdout[9:]
    assert len(body) == BULK and body == bulk_bytes()
    assert said.strip().endswith("served"), said


def _half_record_server(certs, port, ready):
    # CPython's ssl over memory buffers: after the handshake and one whole record, half of the
    # next record, then the connection closes (a FIN: what the client sent was read first).
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs / "good.pem", certs / "good.key")
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1)
    listener.settimeout(60)
    ready.set()
    conn, _ = listener.accept()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
    for step in (tls.do_handshake, lambda: tls.read(100)):
        while True:
            try:
                step()
                break
            except ssl.SSLWantReadError:
                conn.sendall(outgoing.read())
                incoming.write(conn.recv(65536))
    conn.sendall(outgoing.read())
    tls.write(b"whole\n")
    conn.sendall(outgoing.read())
    tls.write(b"x" * 1000)
    record = outgoing.read()
    conn.sendall(record[: len(record) // 2])
    conn.close()
    listener.close()


def test_a_peer_closing_mid_record(image, tmp_path, certs):
    port = free_port()
    ready = threading.Event()
    server = threading.Thread(target=_half_record_server, args=(certs, port, ready), daemon=True)
    server.start()
    ready.wait(10)
    said = run(
        image,
        tmp_path,
        CLIENT.format(
            ca=str(certs / "good.der"),
            port=port,
            body="""
        writer.write(b"hi")
        await writer.drain()
        print(await reader.readline())
        print(await asyncio.wait_for(reader.read(2000), 10), reader.at_eof())
        print(await reader.read(2000))""",
        ),
    )
    server.join(10)
    # The whole record arrives; of the cut one nothing does, and the stream ends there rather
    # than hang. (MicroPython's tls reports this end as it does a close_notify; CPython raises
    # SSLError UNEXPECTED_EOF_WHILE_READING.)
    assert said.splitlines() == ["b'whole\\n'", "b'' True", "b''"], said

# The `ssl` module as MicroPython documents it, over the port's built-in
# `tls` (mbedtls). Frozen into the unix images when micropython-lib, whose
# package normally provides it, is not in the tree (Debian's source has
# none). File names or the data itself (bytes) are taken for certificates
# and keys, as the docs allow.

import tls
from tls import (  # noqa: F401 (the module's constants, re-exported)
    CERT_NONE,
    CERT_OPTIONAL,
    CERT_REQUIRED,
    MBEDTLS_VERSION,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
)


def _data(source):
    if isinstance(source, str):
        with open(source, "rb") as f:
            return f.read()
    return source


class SSLContext:
    def __init__(self, protocol):
        self._tls = tls.SSLContext(protocol)

    @property
    def verify_mode(self):
        return self._tls.verify_mode

    @verify_mode.setter
    def verify_mode(self, mode):
        self._tls.verify_mode = mode

    def load_cert_chain(self, certfile, keyfile):
        self._tls.load_cert_chain(_data(certfile), _data(keyfile))

    def load_verify_locations(self, cafile=None, cadata=None):
        self._tls.load_verify_locations(_data(cafile) if cafile is not None else cadata)

    def get_ciphers(self):
        return self._tls.get_ciphers()

    def set_ciphers(self, ciphers):
        self._tls.set_ciphers(ciphers)

    def wrap_socket(
        self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None
    ):
        return self._tls.wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            server_hostname=server_hostname,
        )


def wrap_socket(
    sock,
    server_side=False,
    key=None,
    cert=None,
    cert_reqs=CERT_NONE,
    cadata=None,
    server_hostname=None,
    do_handshake=True,
):
    # The module-level form: key, cert and cadata are the data itself.
    ctx = SSLContext(PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = cert_reqs
    if cert is not None or key is not None:
        ctx.load_cert_chain(cert, key)
    if cadata is not None:
        ctx.load_verify_locations(cadata=cadata)
    return ctx.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake,
        server_hostname=server_hostname,
    )

# set_nameserver(): the DNS server open_connection(), start_server() and
# loop.getaddrinfo() ask, instead of the system's.

from ._dns import config, _numeric


def set_nameserver(host=None, port=53, timeout=2.5, tries=2):
    # host: a numeric address; None: the system's again (looked up anew).
    # timeout: seconds to wait for each try; tries: queries sent per name.
    if host is not None and not _numeric(host):
        raise ValueError("name server must be a numeric address, not %r" % (host,))
    if timeout <= 0 or tries < 1:
        raise ValueError("timeout must be > 0 and tries >= 1")
    config[:] = [None if host is None else (host, port), int(timeout * 1000), tries]

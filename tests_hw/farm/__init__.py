"""A labgrid farm on this machine, all on 127.0.0.1, for `make test-farm` and the host tests:
labgrid-coordinator, a labgrid-exporter whose ser2net serves QEMU boards' serial ptys
(RFC2217), a place per board, and a power switch per board that labgrid's
NetworkPowerDriver ("simplerest" model) turns off and on. Everything is started here with
its own configuration in a temporary folder (no system service, no system config) and
stopped by stop(). See local.py."""

from .local import LocalFarm

__all__ = ["LocalFarm"]

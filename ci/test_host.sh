#!/usr/bin/env bash
# Everything `make test` runs: host tests, MicroPython's asyncio tests, the device suite.
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_log "make test"
make test

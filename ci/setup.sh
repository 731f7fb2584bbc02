#!/usr/bin/env bash
# Install what building BOARD needs (Debian toolchains, pinned Python tools in .venv).
# Usage: ci/setup.sh BOARD...
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
args=()
for board in "$@"; do args+=(--board "$board"); done
ci_log "setup for $*"
python3 -m firmware setup "${args[@]}"

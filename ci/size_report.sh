#!/usr/bin/env bash
# asyncio's flash/RAM cost per board, against the same image without asyncio and, where
# a *_STOCK twin exists, against upstream's stock asyncio. Writes build/ci-out/size-BOARD.txt
# and, on GitHub Actions, the job summary.
# Usage: ci/size_report.sh BOARD...
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
for board in "$@"; do
    ci_log "size report $board"
    "$PYTHON" -m firmware size --board "$board" | tee "$CI_OUT/size-$board.txt"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        { echo "### asyncio size: $board"; echo '```'; cat "$CI_OUT/size-$board.txt"; echo '```'; } >> "$GITHUB_STEP_SUMMARY"
    fi
done

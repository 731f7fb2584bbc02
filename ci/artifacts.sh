#!/usr/bin/env bash
# Collect a built board's images as build/dist/BOARD/<BOARD>-v<micropython>-<asyncio>.<ext> plus
# manifest.json and SHA256SUMS. Prints name=<artifact name> (for $GITHUB_OUTPUT).
# Usage: ci/artifacts.sh BOARD
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
python3 "$(dirname "$0")/artifacts.py" "$1" firmware/images build/dist

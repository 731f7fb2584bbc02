#!/usr/bin/env bash
# Build one board's image into firmware/images/BOARD/ and check its format.
# Usage: ci/build_board.sh BOARD [--no-c]
# ESP32_GENERIC needs ESP-IDF: set IDF_PATH (ci/esp_idf.sh install puts it in ~/esp-idf).
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
board="$1"; shift
if [ "$board" = ESP32_GENERIC ]; then
    : "${IDF_PATH:=$HOME/esp-idf}"
    if [ ! -f "$IDF_PATH/export.sh" ]; then
        echo "ESP-IDF not found at $IDF_PATH: run ci/esp_idf.sh install first" >&2
        exit 2
    fi
    # export.sh reads unset variables and prints a lot; neither should end this script.
    # shellcheck source=/dev/null
    set +u; source "$IDF_PATH/export.sh" >/dev/null; set -u
fi
ci_log "build $board $*"
"$PYTHON" -m firmware build --board "$board" "$@"
ci_log "image check $board"
"$PYTHON" -m firmware.imagecheck --board "$board"

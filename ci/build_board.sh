#!/usr/bin/env bash
# Build one board's image into firmware/images/BOARD/ and check its format.
# Usage: ci/build_board.sh BOARD [--no-c]
# ESP32_* boards need ESP-IDF: set IDF_PATH (ci/esp_idf.sh install puts it in ~/esp-idf).
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
board="$1"; shift
case "$board" in
    ESP32_*) ci_idf_env ;;
esac
ci_log "build $board $*"
"$PYTHON" -m firmware build --board "$board" "$@"
ci_log "image check $board"
"$PYTHON" -m firmware.imagecheck --board "$board"

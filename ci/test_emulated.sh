#!/usr/bin/env bash
# Run the device test suite on an emulated board through our runner; JUnit into build/ci-out/.
# Usage: ci/test_emulated.sh BOARD     (builds the image first when it is not there)
#   UNIX, QEMU_MPS2_AN385, PYBV11_QEMU, RPI_PICO: the runner starts the board itself (unix,
#   qemu-system-arm, or rp2040js).
#   ESP32_GENERIC_QEMU: ci/esp32_qemu.py boots it in Espressif's QEMU (ci/esp_idf.sh qemu installs
#   it) and the suite runs over socket://localhost:5555.
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
board="$1"
junit="$CI_OUT/junit-$board.xml"
case "$board" in
    UNIX|QEMU_MPS2_AN385|PYBV11_QEMU|RPI_PICO) ;;
    ESP32_GENERIC_QEMU) ci_idf_env ;;
    *) echo "$board does not run here: the emulated boards are UNIX, QEMU_MPS2_AN385, PYBV11_QEMU, RPI_PICO, ESP32_GENERIC_QEMU" >&2; exit 2 ;;
esac
if [ ! -f "firmware/images/$board/manifest.json" ]; then
    "$(dirname "$0")/build_board.sh" "$board"
fi
ci_log "device suite on $board"
if [ "$board" = ESP32_GENERIC_QEMU ]; then
    "$PYTHON" ci/esp32_qemu.py "$board" --port 5555 -- \
        "$PYTHON" -m pytest -q tests_hw --port socket://localhost:5555 --junitxml="$junit"
else
    "$PYTHON" -m pytest -q tests_hw --board "$board" --junitxml="$junit"
fi

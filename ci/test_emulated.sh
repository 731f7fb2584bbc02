#!/usr/bin/env bash
# Run the device test suite on an emulated board (UNIX, QEMU_MPS2_AN385, RPI_PICO in rp2040js) through our runner.
# Usage: ci/test_emulated.sh BOARD     (builds the image first when it is not there)
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"
ci_need_board "$@"
board="$1"
case "$board" in
    UNIX|QEMU_MPS2_AN385|RPI_PICO) ;;
    *) echo "$board does not run here: only UNIX, QEMU_MPS2_AN385 and RPI_PICO are emulated" >&2; exit 2 ;;
esac
if [ ! -f "firmware/images/$board/manifest.json" ]; then
    "$(dirname "$0")/build_board.sh" "$board"
fi
ci_log "device suite on $board"
"$PYTHON" -m pytest -q tests_hw --board "$board" --junitxml="$CI_OUT/junit-$board.xml"

# shellcheck shell=bash
# Sourced by every ci/*.sh script: strict mode, repo root, the project's Python.
set -euo pipefail
CI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$CI_ROOT"
# make setup installs the pinned tools into .venv; before that, the system python3.
if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
export PYTHON
# Under build/ (gitignored) so local runs leave nothing to commit.
CI_OUT="$CI_ROOT/build/ci-out"
mkdir -p "$CI_OUT"

ci_log() { printf '\n==> %s\n' "$*"; }

ci_need_board() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        echo "usage: $0 BOARD   (boards: $(python3 -m firmware boards | awk '{print $1}' | tr '\n' ' '))" >&2
        exit 2
    fi
}

# Where the pinned MicroPython source is (fetched by the build on first use).
ci_mpy_dir() {
    if [ -n "${MPY_DIR:-}" ]; then echo "$MPY_DIR"; return; fi
    python3 -m firmware source | sed -n 's/.* at \(\/.*\)$/\1/p' | tail -n 1
}

# ESP-IDF's tools (its compiler, idf.py, Espressif's QEMU once installed) on PATH, for ESP32_* boards.
ci_idf_env() {
    # An environment already set up (export.sh run, or an IDF whose tools were built by hand,
    # which export.sh would reject) is used as it is, as the firmware tool does.
    if [ -n "${IDF_PATH:-}" ] && command -v idf.py >/dev/null; then
        return
    fi
    : "${IDF_PATH:=$HOME/esp-idf}"
    export IDF_PATH
    if [ ! -f "$IDF_PATH/export.sh" ]; then
        echo "ESP-IDF not found at $IDF_PATH: run ci/esp_idf.sh install first" >&2
        exit 2
    fi
    # export.sh reads unset variables and prints a lot; neither should end the script.
    set +u
    # shellcheck source=/dev/null
    source "$IDF_PATH/export.sh" >/dev/null
    set -u
}

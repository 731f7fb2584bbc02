#!/usr/bin/env bash
# ESP-IDF for the ESP32 builds, at the version boards/ESP32_GENERIC/board.json pins ("idf_pin")
# for the pinned MicroPython's series (v5.2.2 for 1.25, v5.5.1 for 1.28: what its
# ports/esp32/README.md recommends); and Espressif's QEMU, at the version that IDF names.
# Usage: ci/esp_idf.sh version          prints version=vX.Y.Z (append to $GITHUB_OUTPUT)
#        ci/esp_idf.sh install [DIR]    clone + install into DIR (default ~/esp-idf); a no-op
#                                       when DIR already holds that version (CI restores it from cache)
#        ci/esp_idf.sh qemu [DIR]       Espressif's QEMU (qemu-xtensa) into ~/.espressif, and the
#                                       libraries it needs; export.sh then puts it on PATH
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"

idf_version() {
    "$PYTHON" - "$(ci_mpy_dir)" <<'PY'
import sys
from pathlib import Path
from firmware import boards, source

tree = Path(sys.argv[1])
if not (tree / "py" / "mpconfig.h").is_file():
    sys.exit(f"no MicroPython source at {tree or '?'} (python3 -m firmware source)")
series = ".".join(source.read_version(tree).split(".")[:2])
board = boards.get("ESP32_GENERIC")
pins = board.idf_pin or {}
if series not in pins:
    sys.exit(f"{board.folder / 'board.json'} pins no ESP-IDF for MicroPython {series} (idf_pin has: {', '.join(pins) or 'none'})")
print(pins[series])
PY
}

case "${1:-}" in
    version)
        version=$(idf_version)
        echo "version=$version"
        ;;
    install)
        version=$(idf_version)
        dir="${2:-$HOME/esp-idf}"
        if [ -f "$dir/version.txt" ] && [ "$(cat "$dir/version.txt")" = "$version" ]; then
            ci_log "ESP-IDF $version already in $dir"
        else
            ci_log "ESP-IDF $version into $dir"
            rm -rf "$dir"
            git clone --depth 1 --branch "$version" https://github.com/espressif/esp-idf.git "$dir"
            git -C "$dir" submodule update --init --recursive --depth 1
            echo "$version" > "$dir/version.txt"
        fi
        # Installs the esp32 toolchain under ~/.espressif; skips what is already there.
        "$dir/install.sh" esp32
        ;;
    qemu)
        dir="${2:-${IDF_PATH:-$HOME/esp-idf}}"
        if [ ! -f "$dir/tools/idf_tools.py" ]; then
            echo "no ESP-IDF at $dir: run ci/esp_idf.sh install first" >&2
            exit 2
        fi
        ci_log "Espressif's QEMU for ESP-IDF $(cat "$dir/version.txt" 2>/dev/null || echo '?')"
        # What ESP-IDF's QEMU guide says its prebuilt QEMU needs.
        "$PYTHON" -c 'import sys; from firmware import toolchain; toolchain.install_apt(toolchain.missing_apt_packages(sys.argv[1:]))' \
            libgcrypt20 libglib2.0-0 libpixman-1-0 libsdl2-2.0-0 libslirp0
        python3 "$dir/tools/idf_tools.py" install qemu-xtensa
        ;;
    *)
        echo "usage: $0 version | install [DIR] | qemu [DIR]" >&2
        exit 2
        ;;
esac

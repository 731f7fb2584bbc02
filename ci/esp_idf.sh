#!/usr/bin/env bash
# ESP-IDF for the ESP32 build, at the version the pinned MicroPython's ports/esp32/README.md
# recommends (its `git clone -b vX.Y.Z ... esp-idf.git` line: v5.2.2 for 1.25, v5.5.1 for 1.28).
# Usage: ci/esp_idf.sh version          prints version=vX.Y.Z (append to $GITHUB_OUTPUT)
#        ci/esp_idf.sh install [DIR]    clone + install into DIR (default ~/esp-idf); a no-op
#                                       when DIR already holds that version (CI restores it from cache)
# shellcheck source=ci/lib.sh
source "$(dirname "$0")/lib.sh"

idf_version() {
    local readme
    readme="$(ci_mpy_dir)/ports/esp32/README.md"
    if [ ! -f "$readme" ]; then
        echo "no MicroPython source with ports/esp32/README.md (python3 -m firmware source)" >&2
        exit 2
    fi
    local version
    version=$(sed -n 's/.*git clone -b \(v[0-9][0-9.]*\) .*esp-idf.*/\1/p' "$readme" | head -n 1)
    if [ -z "$version" ]; then
        echo "$readme names no ESP-IDF version in a 'git clone -b vX.Y.Z' line" >&2
        exit 2
    fi
    echo "$version"
}

case "${1:-}" in
    version)
        echo "version=$(idf_version)"
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
    *)
        echo "usage: $0 version | install [DIR]" >&2
        exit 2
        ;;
esac

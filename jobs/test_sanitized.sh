#!/bin/bash
# Every test suite again under AddressSanitizer + UBSan (build-asan/); the second half of the
# README's test command, after `meson test -C build`. Fails if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
werror=false
[ "${CI:-}" = true ] && werror=true
[ -d build-asan ] || meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=$werror
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-asan --print-errorlogs --num-processes 2

#!/bin/bash
# The whole test suite: the release build's suites, then all suites again under
# AddressSanitizer + UBSan (build-asan/). Fails if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
meson test -C build --print-errorlogs --num-processes 2
werror=false
[ "${CI:-}" = true ] && werror=true
[ -d build-asan ] || meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=$werror
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-asan --print-errorlogs --num-processes 2

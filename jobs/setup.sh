#!/bin/bash
# Installs what bregnet needs on Debian 12 (as root) and builds it into build/.
# Used by both README set-up commands and by CI. Idempotent: a second run only rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(petsc-dev libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools meson ninja-build pkg-config
          libopenblas0-serial dataset-fashion-mnist libpng-dev zlib1g-dev python3-h5py python3-matplotlib python3-scipy
          slurm-wlm munge iproute2 util-linux)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# OpenBLAS, not the reference BLAS (about 10x slower DGEMM)
update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3 >/dev/null 2>&1 || true
werror=false
[ "${CI:-}" = true ] && werror=true
if [ ! -d build ]; then
  meson setup build --buildtype=release -Dwerror=$werror
else
  meson configure build -Dwerror=$werror
fi
ninja -C build

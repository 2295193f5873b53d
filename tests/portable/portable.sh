#!/bin/bash
# The generic dependency lookup of meson.build, as on a cluster: PETSc under another pkg-config
# name in a private directory (-Dpetsc, -Dpkg_config_path), HDF5 from its h5pcc compiler wrapper
# (-Dhdf5=/path/h5pcc). Configures a fresh build of this source tree, compiles the HDF5 layer
# with the flags found, and checks that a wrapper of a serial HDF5 and a missing wrapper are
# refused at configure time with a message naming them.
#   usage: portable.sh SOURCE_DIR
set -uo pipefail
SRC=$(readlink -f "$1")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bregnet-portable.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
H5PCC=$(command -v h5pcc) || { echo "no h5pcc wrapper on PATH: skipped"; exit 77; }
PETSC_PC=$(pkg-config --path PETSc 2>/dev/null) || { echo "no PETSc.pc: skipped"; exit 77; }

# a "site" PETSc.pc under another name, as a module or Spack view would provide it
mkdir -p "$TMP/pc"
sed 's/^Name:.*/Name: petsc-site/' "$PETSC_PC" > "$TMP/pc/petsc-site.pc"
meson setup "$TMP/b" "$SRC" --buildtype=release -Dwerror=true -Dslurm_tests=false -Dpetsc=petsc-site \
  -Dpkg_config_path="$TMP/pc" -Dhdf5="$H5PCC" > "$TMP/setup.log" 2>&1 || { cat "$TMP/setup.log"; fail "configure with -Dhdf5=$H5PCC -Dpetsc=petsc-site"; }
grep -q "Message: HDF5: parallel, from the wrapper $(readlink -f "$H5PCC")\|Message: HDF5: parallel, from the wrapper $H5PCC" "$TMP/setup.log" \
  || { cat "$TMP/setup.log"; fail "HDF5 did not come from the wrapper"; }
grep -q "Run-time dependency petsc-site found: YES" "$TMP/setup.log" || { cat "$TMP/setup.log"; fail "PETSc was not found under -Dpetsc=petsc-site"; }
# the wrapper's include and library flags reach the compile and link lines
h5inc=$("$H5PCC" -shlib -show | tr ' ' '\n' | grep '^-I' | head -1)
grep -qF -- "$h5inc" "$TMP/b/build.ninja" || fail "build.ninja lacks the wrapper's $h5inc"
grep -q -- "-lhdf5" "$TMP/b/build.ninja" || fail "build.ninja does not link -lhdf5"
ninja -C "$TMP/b" libbregnet.so.p/src_io_h5.c.o libbregnet.so.p/src_io_h5_data.c.o > "$TMP/ninja.log" 2>&1 \
  || { cat "$TMP/ninja.log"; fail "compiling src/io with the wrapper's flags"; }

# a wrapper that reports a serial HDF5 is refused by name
mkdir -p "$TMP/serial/include"
printf '#define H5_VERS_MAJOR 1\n' > "$TMP/serial/include/hdf5.h"
printf '#!/bin/sh\necho cc -I%s -L%s -lhdf5\n' "$TMP/serial/include" "$TMP/serial" > "$TMP/serial/h5pcc"
chmod +x "$TMP/serial/h5pcc"
meson setup "$TMP/s" "$SRC" -Dslurm_tests=false -Dhdf5="$TMP/serial/h5pcc" > "$TMP/serial.log" 2>&1 && fail "a serial HDF5 was accepted"
grep -q "ERROR: .*HDF5 from the wrapper $TMP/serial/h5pcc is not a parallel (MPI) build" "$TMP/serial.log" || { cat "$TMP/serial.log"; fail "no message naming the serial HDF5"; }
meson setup "$TMP/m" "$SRC" -Dslurm_tests=false -Dhdf5="$TMP/none/h5pcc" > "$TMP/missing.log" 2>&1 && fail "a missing wrapper was accepted"
grep -q "$TMP/none/h5pcc" "$TMP/missing.log" || { cat "$TMP/missing.log"; fail "the message does not name the missing wrapper"; }
echo "portable build: PETSc as petsc-site from $TMP/pc, HDF5 from $H5PCC: configured and compiled src/io; serial and missing HDF5 refused"

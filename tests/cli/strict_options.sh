#!/bin/bash
# Every option is read through bregnet's strict readers (src/util/parse.c): PETSc's own
# PetscOptionsInt/Real/String wrap integers past PetscInt and take a missing value as "not
# set". This fails when code under src/ reads an option with them directly.
set -uo pipefail
root=$(dirname "$(readlink -f "$0")")/../..
hits=$(grep -rnE 'PetscOptions(Int|Real|Scalar|String|Bool|GetBool|BoundedInt|RangeInt|IntArray|RealArray|StringArray|GetInt|GetReal|GetScalar|GetString|GetIntArray|GetRealArray)\(' "$root/src" | grep -v 'src/util/parse.c' | grep -vE ':[0-9]+:[[:space:]]*(/\*|\*|//)')
if [ -n "$hits" ]; then
  echo "$hits"
  echo "FAIL: read these options with BnOptionsInt/Real/String/Bool (or BnParse*) instead" >&2
  exit 1
fi
echo "every option goes through the strict readers"

#!/bin/bash
# The full corruption campaign (tests/io/corrupt_campaign.py --full): every attribute of an
# unsealed checkpoint, hundreds of byte flips across every region of a sealed checkpoint, flipped
# models given to every reader, and -restart auto fallbacks for each region. The test suite runs
# a seeded sample of the same cases. Took 12 minutes on the shared 2-core machine.
#   usage: jobs/corrupt_campaign.sh [SEED]      (default: a random seed, printed)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
BREGNET=${BREGNET:-$(realpath build/bregnet)} MPIRUN=$(realpath tests/mpirun.sh) \
  exec /usr/bin/python3 tests/io/corrupt_campaign.py --full --seed "${1:-$RANDOM}"

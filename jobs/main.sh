#!/bin/bash
# The main job: Fashion-MNIST classification (784-256-128-10, relu,relu,softmax) on 2 ranks
# with bregnet train's defaults, progress lines and checkpoints, in run/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p run
cd run
# -restart auto: a second run continues (or, when finished, just rewrites the model: -overwrite)
exec mpiexec --oversubscribe -n "${BREGNET_RANKS:-2}" ../build/bregnet train -solver_monitor -checkpoint fmnist -restart auto -overwrite "$@"

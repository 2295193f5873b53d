#!/bin/bash
# The one MPI launcher of the test suite: tests/mpirun.sh NP program [args...]
# Adds what Open MPI needs here (root, more ranks than cores) and settings that shorten
# start-up and shutdown without changing what runs.
set -euo pipefail
np=$1; shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# when a rank exits nonzero (every bad-input case), kill the rest at once instead of waiting
# 2 s between SIGTERM and SIGKILL: the exit code is still the rank's own (2, 85, ...)
export OMPI_MCA_odls_base_sigkill_timeout=0
# shared-memory transport only: tests run on one node, and this avoids probing networks.
# pml ob1 is the layer Open MPI selects here anyway (over btl self,vader); naming it skips
# probing the network MTLs (libfabric, PSM) in MPI_Init, ~0.2 s of every launch
export OMPI_MCA_pml=ob1
# tests run side by side on few cores: a rank waiting for a message yields its core instead of
# spinning (two 2-rank runs on 2 cores: 2.9 s each instead of 4.4 s, 1.5 s alone either way)
export OMPI_MCA_mpi_yield_when_idle=1
exec mpiexec --oversubscribe --mca btl self,vader -n "$np" "$@"

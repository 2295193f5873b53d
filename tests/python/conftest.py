"""Shared fixtures of the python suite: the package from the tree, the bregnet binary and the
MPI launcher from the meson test environment (BREGNET, MPIRUN), each test in its own directory."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))


def _bregnet():
    path = os.environ.get("BREGNET", os.path.join(ROOT, "build", "bregnet"))
    return path if os.access(path, os.X_OK) else None


class Runner:
    """runs `bregnet CMD ...` on np ranks in a directory; returns (exit code, stdout + stderr)"""

    def __init__(self, exe, mpirun, cwd):
        self.exe, self.mpirun, self.cwd = exe, mpirun, cwd

    def __call__(self, *args, np=1, check=True):
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        cmd = [self.mpirun, str(np), self.exe] + [str(a) for a in args]
        p = subprocess.run(cmd, cwd=self.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=300)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}")
        return p.returncode, p.stdout


@pytest.fixture
def run(tmp_path):
    exe = _bregnet()
    if exe is None:
        pytest.skip("no bregnet binary (build it, or set BREGNET)")
    mpirun = os.environ.get("MPIRUN", os.path.join(ROOT, "tests", "mpirun.sh"))
    return Runner(exe, mpirun, str(tmp_path))


def scores(out, split="train"):
    """(samples, loss, accuracy or None) from a `bregnet predict` line"""
    m = re.search(rf"^{split}:\s+(\d+) samples, loss (\S+), accuracy (\S+?)%?\s", out + "\n", re.M)
    assert m, f"no '{split}:' line in\n{out}"
    acc = None if m.group(3) == "n/a" else float(m.group(3)) / 100
    return int(m.group(1)), float(m.group(2)), acc

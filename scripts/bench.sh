#!/usr/bin/env bash
# `make bench` (BENCH_MODE=full) and `make bench-smoke` (BENCH_MODE=smoke; scripts/test.sh calls it too): runs
# bench/run.py, whose docstring lists the cases, the environment (BENCH_*) with its defaults, and the ports. run.py
# installs what is missing, builds, prepares the bench virtualenv (scripts/bench-venv.sh), runs every case on a
# private stack and stops everything it started whatever happened. It needs only the standard library: PYTHON
# (python3) runs it, and scripts/bench-venv.sh creates the virtualenv with the same PYTHON.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
exec "${PYTHON:-python3}" "$ROOT/bench/run.py" "$@"

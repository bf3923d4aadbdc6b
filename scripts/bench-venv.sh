#!/usr/bin/env bash
# Prepares the bench's Python side: a virtualenv with bench/requirements.txt (reinstalled only when that file
# changes) and Python stubs of Protos/event.proto in bench/generated/ (for the peer and the flood probe).
#
# Environment (default): PYTHON (python3), BENCH_VENV (.venv-bench in the repository).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV=${BENCH_VENV:-$ROOT/.venv-bench}
PYTHON=${PYTHON:-python3}
REQUIREMENTS=$ROOT/bench/requirements.txt
GENERATED=$ROOT/bench/generated
STAMP=$VENV/.bench-requirements.sha256

"$ROOT/scripts/install-deps.sh" venv

if ! "$VENV/bin/python" -c '' 2> /dev/null; then
    echo "bench-venv: creating $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

wanted=$(sha256sum < "$REQUIREMENTS" | cut -d' ' -f1)
if [[ "$(cat "$STAMP" 2> /dev/null)" != "$wanted" ]]; then
    echo "bench-venv: installing $REQUIREMENTS"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS"
    echo "$wanted" > "$STAMP"
fi

rm -rf "$GENERATED"
mkdir -p "$GENERATED"
"$VENV/bin/python" -m grpc_tools.protoc -I "$ROOT/Protos" --python_out="$GENERATED" event.proto

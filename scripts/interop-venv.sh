#!/usr/bin/env bash
# Prepares the Python interop tests: a virtualenv with interop/requirements.txt (reinstalled only when that file
# changes) and Python stubs of Protos/event.proto and Protos/health.proto in interop/generated/ (imported through
# interop/eventgrpc_testkit/protos.py).
#
# Environment (default): PYTHON (python3), VENV (.venv in the repository).
# Then: .venv/bin/python -m pytest -s interop/tests
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
REQUIREMENTS=$ROOT/interop/requirements.txt
GENERATED=$ROOT/interop/generated
STAMP=$VENV/.interop-requirements.sha256

"$ROOT/scripts/install-deps.sh" venv

if ! "$VENV/bin/python" -c '' 2> /dev/null; then
    echo "interop-venv: creating $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

wanted=$(sha256sum < "$REQUIREMENTS" | cut -d' ' -f1)
if [[ "$(cat "$STAMP" 2> /dev/null)" != "$wanted" ]]; then
    echo "interop-venv: installing $REQUIREMENTS"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS"
    echo "$wanted" > "$STAMP"
fi

rm -rf "$GENERATED"
mkdir -p "$GENERATED"
"$VENV/bin/python" -m grpc_tools.protoc -I "$ROOT/Protos" \
    --python_out="$GENERATED" --pyi_out="$GENERATED" --grpc_python_out="$GENERATED" \
    event.proto health.proto

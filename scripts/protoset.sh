#!/usr/bin/env bash
# Builds Protos/event.protoset, the descriptor set clients use without the source tree (grpcurl -protoset, see
# README "Your first event"), from Protos/event.proto and Protos/health.proto with protoc --include_imports.
#
#   scripts/protoset.sh           rebuild it (after changing a .proto; commit the result)
#   scripts/protoset.sh --check   exit 1 when the committed file is not what protoc makes of the .proto files now
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TARGET=$ROOT/Protos/event.protoset
protoc=${PROTOC:-protoc}

build() { # OUTPUT
    "$protoc" --include_imports --descriptor_set_out="$1" -I "$ROOT/Protos" event.proto health.proto
}

case ${1:-} in
    "")
        build "$TARGET"
        echo "protoset: wrote ${TARGET#"$ROOT"/}"
        ;;
    --check)
        fresh=$(mktemp)
        trap 'rm -f "$fresh"' EXIT
        build "$fresh"
        if ! cmp -s "$fresh" "$TARGET"; then
            echo "protoset: Protos/event.protoset does not match Protos/*.proto ($("$protoc" --version));" \
                "run scripts/protoset.sh and commit the result" >&2
            exit 1
        fi
        echo "protoset: Protos/event.protoset matches Protos/event.proto and Protos/health.proto"
        ;;
    *)
        echo "usage: scripts/protoset.sh [--check]" >&2
        exit 2
        ;;
esac

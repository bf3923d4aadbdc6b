#!/bin/sh
# Regenerates the protobuf golden files Tests/EventWireTests/Golden/NAME.bin from NAME.txtpb with protoc.
# Each .txtpb names its message type in a `# proto-message: TYPE` header line.
set -eu

cd "$(dirname "$0")/.."
golden=Tests/EventWireTests/Golden
protoc=${PROTOC:-protoc}

command -v "$protoc" >/dev/null || { echo "golden.sh: $protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

for text in "$golden"/*.txtpb; do
    type=$(sed -n 's/^# proto-message: *//p' "$text")
    [ -n "$type" ] || { echo "golden.sh: $text has no '# proto-message: TYPE' line" >&2; exit 1; }
    "$protoc" --encode="$type" -I Protos event.proto health.proto <"$text" >"${text%.txtpb}.bin"
    echo "$type -> ${text%.txtpb}.bin"
done

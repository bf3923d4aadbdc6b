#!/usr/bin/env bash
# The layering rules of ARCHITECTURE.md that the compiler cannot see by itself, checked on the sources and on the
# linked binaries. Usage: scripts/check-layers.sh BIN_DIR (a release build's products). Exit 1 on any breach.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
bin_dir=${1:?usage: scripts/check-layers.sh BIN_DIR}
failures=0
fail() { echo "layers: $*" >&2; failures=$((failures + 1)); }

# 1. Each C module is imported by its owner target only (BenchRawPublisher measures rabbitmq-c alone, by design).
for pair in CNghttp2:Sources/Shared/HTTP2Server CRabbitMQ:Sources/Shared/AMQPClient CCurl:Sources/Shared/ClickHouseClient \
    CZlib:Sources/Shared/GRPCServer COpenSSL:Sources/Shared/HTTP2Server; do
    module=${pair%%:*} owner=${pair#*:}
    stray=$(grep -rlE "^(@preconcurrency |@_implementationOnly )?((public|package|internal|private) )?import $module\b" Sources \
        | grep -v "^$owner/" | grep -v "^Sources/BenchRawPublisher/" || true)
    [ -z "$stray" ] || fail "$module is imported outside $owner: $stray"
done

# 2. The wire module imports nothing but the standard library.
wire_imports=$(grep -rhE '^((public|package|internal|private) )?import ' Sources/Shared/EventWire || true)
[ -z "$wire_imports" ] || fail "Sources/Shared/EventWire must import nothing; found: $wire_imports"

# 3. Each binary links only the C libraries it uses (readelf -d lists what the dynamic loader must find).
needed() { readelf -d "$bin_dir/$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
check_binary() {
    local binary=$1 must=$2 must_not=$3 libs
    [ -x "$bin_dir/$binary" ] || { fail "$bin_dir/$binary is missing; build it first"; return; }
    libs=$(needed "$binary")
    for lib in $must; do grep -q "^$lib" <<< "$libs" || fail "$binary does not link $lib"; done
    for lib in $must_not; do ! grep -q "^$lib" <<< "$libs" || fail "$binary links $lib, which it must not use"; done
    echo "$binary links: $(grep -E '^lib(rabbitmq|nghttp2|curl|z|ssl|crypto)\.' <<< "$libs" | tr '\n' ' ')"
}
# libssl: the gateway's TLS port (HTTP2Server); the worker reaches OpenSSL only inside libcurl and librabbitmq,
# never directly through a target of ours.
check_binary IngestGateway "librabbitmq libnghttp2 libz libssl" "libcurl"
check_binary SinkWorker "librabbitmq libcurl" "libnghttp2 libz libssl"

[ "$failures" -eq 0 ] || exit 1
echo "layers: every C module stays with its owner, EventWire imports nothing, each binary links only its C libraries"

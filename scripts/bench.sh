#!/usr/bin/env bash
# `make bench`: gateway accept rate with publisher confirms kept (promise P1), measured with h2load against a
# release build on a private stack (its own ports), for batches of 1, 10 and 100 events. Writes
# bench/results/<date>-gateway-accept.json and prints a table. The fuller suite (raw broker ceiling, end to end,
# flood, Python peer, plots) is issue 5's.
#
# Environment (default): BENCH_REQUESTS (20000 per case), BENCH_CLIENTS (10), BENCH_STREAMS (10 per client),
# BENCH_RABBIT_PORT (5692), BENCH_CLICKHOUSE_PORT (8143), BENCH_GRPC_PORT (8217), BENCH_ADMIN_PORT (8219).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh

REQUESTS=${BENCH_REQUESTS:-20000}
CLIENTS=${BENCH_CLIENTS:-10}
STREAMS=${BENCH_STREAMS:-10}
export RABBIT_PORT=${BENCH_RABBIT_PORT:-5692}
export RABBIT_MANAGEMENT_PORT=${BENCH_RABBIT_MANAGEMENT_PORT:-15692}
export RABBIT_DIST_PORT=${BENCH_RABBIT_DIST_PORT:-25692}
export EPMD_PORT=${BENCH_EPMD_PORT:-4389}
export CLICKHOUSE_PORT=${BENCH_CLICKHOUSE_PORT:-8143}
export CLICKHOUSE_TCP_PORT=${BENCH_CLICKHOUSE_TCP_PORT:-9043}
GRPC_PORT=${BENCH_GRPC_PORT:-8217}
ADMIN_PORT=${BENCH_ADMIN_PORT:-8219}
STACK_DIR=$ROOT/.run/bench-stack
PIDS_DIR=$ROOT/.run/bench-pids
LOGS_DIR=$ROOT/.run/bench-logs
WORK=$(mktemp -d)

cleanup() {
    stop_all_services > /dev/null 2>&1 || true
    scripts/stack.sh stop "$STACK_DIR" > /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/install-deps.sh
swift build -c release
BIN=$(swift build -c release --show-bin-path)
scripts/stack.sh start "$STACK_DIR"
rm -rf "$LOGS_DIR"
start_service gateway env PORT="$GRPC_PORT" ADMIN_PORT="$ADMIN_PORT" LOG_LEVEL=warning "$BIN/IngestGateway"
wait_for_port "$GRPC_PORT" gateway

# request_file EVENTS: a gRPC-framed Events message with EVENTS events (protoc encodes, printf frames).
request_file() {
    local count=$1 text=$WORK/batch-$1.txt body=$WORK/batch-$1.pb
    {
        echo 'header { deviceId: "bench-device" sessionId: "bench-session" appVersion: "1.0" }'
        for ((i = 0; i < count; i++)); do
            echo "events { id: \"bench-$count-$i\" timestamp: \"1700000000000\" type: \"app.open\""
            echo "  attributes { key: \"screen\" stringValue: \"home\" } attributes { key: \"n\" intValue: $i } }"
        done
    } > "$text"
    protoc --encode=event.Events -I Protos Protos/event.proto < "$text" > "$body"
    local size
    size=$(stat -c %s "$body")
    printf '\x00%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((size >> 24 & 255)) $((size >> 16 & 255)) \
        $((size >> 8 & 255)) $((size & 255)))" > "$WORK/request-$count"
    cat "$body" >> "$WORK/request-$count"
    echo "$WORK/request-$count"
}

date_tag=$(date -u +%Y-%m-%d)
result=bench/results/$date_tag-gateway-accept.json
rows=()
printf '\n%-8s %12s %12s %10s %10s %8s\n' events calls/s events/s mean_ms max_ms failed
for events in 1 10 100; do
    file=$(request_file "$events")
    h2load -n "$((REQUESTS / 10))" -c "$CLIENTS" -m "$STREAMS" -d "$file" -H 'content-type: application/grpc' \
        -H 'te: trailers' "http://127.0.0.1:$GRPC_PORT/event.EventService/dispatch" > /dev/null  # warm-up
    output=$(h2load -n "$REQUESTS" -c "$CLIENTS" -m "$STREAMS" -d "$file" -H 'content-type: application/grpc' \
        -H 'te: trailers' "http://127.0.0.1:$GRPC_PORT/event.EventService/dispatch")
    rate=$(awk '/^finished in/ {print $4}' <<< "$output")
    failed=$(awk '/^requests:/ {print $10}' <<< "$output")
    mean=$(awk '/^time for request:/ {print $6}' <<< "$output")
    max=$(awk '/^time for request:/ {print $5}' <<< "$output")
    to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
    mean_ms=$(to_ms "$mean")
    max_ms=$(to_ms "$max")
    events_rate=$(awk -v r="$rate" -v e="$events" 'BEGIN { printf "%.0f", r * e }')
    printf '%-8s %12s %12s %10s %10s %8s\n' "$events" "$rate" "$events_rate" "$mean_ms" "$max_ms" "$failed"
    rows+=("{\"events_per_call\": $events, \"calls_per_second\": $rate, \"events_per_second\": $events_rate, \
\"mean_latency_ms\": $mean_ms, \"max_latency_ms\": $max_ms, \"failed\": $failed}")
done
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$(cat "$PIDS_DIR/gateway.pid")/status")
{
    echo "{\"date\": \"$(date -u +%FT%TZ)\", \"machine\": \"$(nproc) cores, $(awk '/MemTotal/ {print int($2/1048576)}' /proc/meminfo) GiB\","
    echo " \"command\": \"h2load -n $REQUESTS -c $CLIENTS -m $STREAMS\", \"gateway_peak_rss_kib\": $rss_kib,"
    echo " \"cases\": [$(IFS=,; echo "${rows[*]}")]}"
} > "$result"
echo
echo "gateway peak RSS: $rss_kib KiB; results in $result"

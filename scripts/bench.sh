#!/usr/bin/env bash
# `make bench` (BENCH_MODE=full) and `make bench-smoke` (BENCH_MODE=smoke): the gateway and the workers beside
# the broker's own ceiling and a Python peer, on a private stack with its own ports, in one run. Cases:
#   accept-N   gateway accept rate with confirms for batches of N = 1, 10, 100 events: as fast as possible
#              (h2load, closed loop) and at fixed rates below that (h2load --rps, open loop) for latency
#   raw-N      BenchRawPublisher: the same broker messages, the same confirm grouping, rabbitmq-c alone
#   e2e        gateway -> RabbitMQ -> workers -> ClickHouse with both families at a fixed rate; queue depths sampled
#   flood      5x the gateway's maximum: refusals (a grpcio probe sees their status and latency), RSS
#   peer       bench/peers/python_gateway.py (grpcio + pika with confirms) under the same h2load load
# Each case writes RESULTS/DATE-CASE.json; then RESULTS/DATE-summary.md, RESULTS/DATE-plot.png and a printed table.
# Smoke mode runs every case for about a second on the debug build and checks only that each case wrote its JSON.
#
# Environment (full / smoke default): BENCH_SECONDS (10 / 1) per accept, raw and peer measurement,
# BENCH_E2E_SECONDS (60 / 3), BENCH_FLOOD_SECONDS (15 / 2), BENCH_LEVELS (open-loop fractions of the maximum,
# "0.25 0.5 0.75" / "0.5"), BENCH_CLIENTS (10 connections), BENCH_STREAMS (10 per connection), BENCH_GROUP (32:
# the gateway's EVENT_WORKER_POOL_SIZE), BENCH_RESULTS (bench/results / .run/bench-smoke-results),
# BENCH_BUILD (release / debug). Ports (full / smoke): BENCH_RABBIT_PORT (5692 / 5702) with _MANAGEMENT_ (+10000)
# and _DIST_ (+20000), BENCH_EPMD_PORT (4389 / 4399), BENCH_CLICKHOUSE_PORT (8143 / 8153), BENCH_CLICKHOUSE_TCP_PORT
# (9043 / 9053), BENCH_GRPC_PORT (8217 / 8227; admin +2, workers +3 and +4, the peer +5).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh

MODE=${BENCH_MODE:-full}
case $MODE in
full) base=5692 epmd=4389 clickhouse=8143 grpc=8217 secs=10 e2e=60 flood=15 levels="0.25 0.5 0.75"
    build=release results=bench/results drain=60 ;;
smoke) base=5702 epmd=4399 clickhouse=8153 grpc=8227 secs=1 e2e=3 flood=2 levels="0.5" build=debug
    results=.run/bench-smoke-results drain=5 ;;
*) echo "BENCH_MODE must be full or smoke" >&2; exit 2 ;;
esac
SECS=${BENCH_SECONDS:-$secs}
E2E_SECS=${BENCH_E2E_SECONDS:-$e2e}
FLOOD_SECS=${BENCH_FLOOD_SECONDS:-$flood}
LEVELS=${BENCH_LEVELS:-$levels}
CLIENTS=${BENCH_CLIENTS:-10}
STREAMS=${BENCH_STREAMS:-10}
GROUP=${BENCH_GROUP:-32}
BUILD=${BENCH_BUILD:-$build}
RESULTS=${BENCH_RESULTS:-$results}
export RABBIT_PORT=${BENCH_RABBIT_PORT:-$base}
export RABBIT_MANAGEMENT_PORT=${BENCH_RABBIT_MANAGEMENT_PORT:-$((RABBIT_PORT + 10000))}
export RABBIT_DIST_PORT=${BENCH_RABBIT_DIST_PORT:-$((RABBIT_PORT + 20000))}
export EPMD_PORT=${BENCH_EPMD_PORT:-$epmd}
export CLICKHOUSE_PORT=${BENCH_CLICKHOUSE_PORT:-$clickhouse}
export CLICKHOUSE_TCP_PORT=${BENCH_CLICKHOUSE_TCP_PORT:-$((CLICKHOUSE_PORT + 900))}
GRPC_PORT=${BENCH_GRPC_PORT:-$grpc}
ADMIN_PORT=$((GRPC_PORT + 2))
PEER_PORT=$((GRPC_PORT + 5))
STACK_DIR=$ROOT/.run/bench-$MODE-stack
PIDS_DIR=$ROOT/.run/bench-$MODE-pids
LOGS_DIR=$ROOT/.run/bench-$MODE-logs
WORK=$ROOT/.run/bench-$MODE-work
MANAGEMENT=http://127.0.0.1:$RABBIT_MANAGEMENT_PORT
QUEUES="analytics.events logs.trace logs.post"
DATE=$(date -u +%Y-%m-%d)
started=$(date +%s)

cleanup() {
    local status=$?
    stop_all_services > /dev/null 2>&1 || true
    scripts/stack.sh stop "$STACK_DIR" > /dev/null || true
    echo "bench ($MODE): finished in $(($(date +%s) - started)) s with status $status"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }
tool() { python3 bench/tools.py "$@"; }
calc() { python3 -c "print(round($1, 3))"; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
pid_of() { cat "$PIDS_DIR/$1.pid"; }
# rss NAME...: '{"NAME": VmHWM KiB, ...}'; reset_peaks NAME...: restart the peak (VmHWM) of each process.
rss() {
    local name sep="" out="{"
    for name in "$@"; do
        out+="$sep\"$name\": $(awk '/VmHWM/ {print $2}' "/proc/$(pid_of "$name")/status")"
        sep=", "
    done
    echo "$out}"
}
reset_peaks() { local name; for name in "$@"; do echo 5 > "/proc/$(pid_of "$name")/clear_refs"; done; }
gateway_metric() { tool metric "http://127.0.0.1:$ADMIN_PORT/metrics" "$@"; }
rows_written() { tool metric "http://127.0.0.1:$1/metrics" eventgrpc_worker_rows_written_total; }
# load PREFIX PORT FILE H2LOAD-ARGS...: h2load against dispatch; PREFIX.out (its report), PREFIX.log (per request).
load() {
    local prefix=$1 port=$2 file=$3
    shift 3
    h2load "$@" -d "$file" -H 'content-type: application/grpc' -H 'te: trailers' --log-file="$prefix.log" \
        "http://127.0.0.1:$port/event.EventService/dispatch" > "$prefix.out" 2>&1
}
drain_queues() { # waits (at most 60 s; 5 s when smoking) until the workers emptied the queues, then purges the rest
    local waited=0
    while (($(tool depths "$MANAGEMENT" $QUEUES) > 0 && waited < drain)); do sleep 1; waited=$((waited + 1)); done
    tool purge "$MANAGEMENT" $QUEUES
}

say "dependencies, $BUILD build, bench virtualenv"
scripts/install-deps.sh > /dev/null
if [[ $BUILD == release ]]; then swift build -c release; else swift build; fi
BIN=$(swift build -c "$BUILD" --show-bin-path)
scripts/bench-venv.sh
PY=$ROOT/.venv-bench/bin/python
rm -rf "$WORK" "$LOGS_DIR"
mkdir -p "$WORK" "$RESULTS"
rm -f "$RESULTS/$DATE"-*.json

say "stack on bench ports (RabbitMQ $RABBIT_PORT, ClickHouse HTTP $CLICKHOUSE_PORT)"
scripts/stack.sh start "$STACK_DIR"
start_service gateway env PORT="$GRPC_PORT" ADMIN_PORT="$ADMIN_PORT" LOG_LEVEL=warning \
    EVENT_WORKER_POOL_SIZE="$GROUP" "$BIN/IngestGateway"
wait_for_port "$GRPC_PORT" gateway
for events in 1 10 100; do tool request "$events" app "$WORK/app-$events"; done
tool request 100 mixed "$WORK/mixed-100"

declare -A max_calls
for events in 1 10 100; do
    say "accept-$events and raw-$events: batches of $events events"
    request=$WORK/app-$events.req
    tool purge "$MANAGEMENT" $QUEUES
    [[ $MODE == full ]] && load "$WORK/warm" "$GRPC_PORT" "$request" -D 2 -c "$CLIENTS" -m "$STREAMS"
    reset_peaks gateway
    before=$(gateway_metric eventgrpc_gateway_batches_accepted_total)
    load "$WORK/max-$events" "$GRPC_PORT" "$request" -D "$SECS" -c "$CLIENTS" -m "$STREAMS"
    accepted=$(($(gateway_metric eventgrpc_gateway_batches_accepted_total) - before))
    tool h2load "$WORK/max-$events.out" > "$WORK/max-$events.h2.json"
    tool latency "$WORK/max-$events.log" > "$WORK/max-$events.lat.json"
    calls=$(field "$WORK/max-$events.h2.json" '["calls_per_second"]')
    max_calls[$events]=$calls
    tool case "$WORK/row-max-$events.json" mode=max events_per_call="$events" calls_per_second="$calls" \
        events_per_second="$(calc "$calls * $events")" messages_per_second="$calls" \
        p50_ms="$(field "$WORK/max-$events.lat.json" '["p50_ms"]')" \
        p99_ms="$(field "$WORK/max-$events.lat.json" '["p99_ms"]')" rss_kib="$(rss gateway)" \
        accepted_batches="$accepted" h2load=@"$WORK/max-$events.h2.json" \
        note="closed loop, -c $CLIENTS -m $STREAMS"

    tool purge "$MANAGEMENT" $QUEUES
    "$BIN/BenchRawPublisher" --request "$WORK/app-$events.pb" --seconds "$SECS" --group "$GROUP" > "$WORK/raw-$events.json"
    raw_rate=$(field "$WORK/raw-$events.json" '["messages_per_second"]')
    ratio=$(calc "$calls / $raw_rate")
    tool case "$WORK/row-raw-$events.json" mode=max events_per_call="$events" \
        calls_per_second="$(field "$WORK/raw-$events.json" '["batches_per_second"]')" \
        events_per_second="$(field "$WORK/raw-$events.json" '["events_per_second"]')" messages_per_second="$raw_rate" \
        p50_ms="$(field "$WORK/raw-$events.json" '["group_p50_ms"]')" \
        p99_ms="$(field "$WORK/raw-$events.json" '["group_p99_ms"]')" \
        note="rabbitmq-c, $GROUP batches per confirm wait; latency of one group"
    tool case "$RESULTS/$DATE-raw-$events.json" case="raw-$events" rows=@["$WORK/row-raw-$events.json"] \
        raw=@"$WORK/raw-$events.json" summary="gateway/raw messages/s = $ratio"

    rows=$WORK/row-max-$events.json
    for level in $LEVELS; do
        tool purge "$MANAGEMENT" $QUEUES
        rate=$(calc "$calls * $level")
        per_client=$(python3 -c "print(max(1, round($rate / $CLIENTS)))")
        reset_peaks gateway
        load "$WORK/open-$events-$level" "$GRPC_PORT" "$request" -D "$SECS" -c "$CLIENTS" -m 100 --rps "$per_client"
        tool h2load "$WORK/open-$events-$level.out" > "$WORK/open-$events-$level.h2.json"
        tool latency "$WORK/open-$events-$level.log" > "$WORK/open-$events-$level.lat.json"
        achieved=$(field "$WORK/open-$events-$level.h2.json" '["calls_per_second"]')
        tool case "$WORK/row-open-$events-$level.json" mode=open-loop events_per_call="$events" \
            offered_calls_per_second="$((per_client * CLIENTS))" calls_per_second="$achieved" \
            events_per_second="$(calc "$achieved * $events")" messages_per_second="$achieved" \
            p50_ms="$(field "$WORK/open-$events-$level.lat.json" '["p50_ms"]')" \
            p99_ms="$(field "$WORK/open-$events-$level.lat.json" '["p99_ms"]')" rss_kib="$(rss gateway)" \
            note="$level of max, h2load --rps $per_client x $CLIENTS"
        rows+=",$WORK/row-open-$events-$level.json"
    done
    tool case "$RESULTS/$DATE-accept-$events.json" case="accept-$events" rows=@["$rows"] \
        gateway_over_raw_messages="$ratio" summary="gateway/raw messages/s = $ratio (same run)"
done
tool purge "$MANAGEMENT" $QUEUES

say "e2e: both families, gateway -> RabbitMQ -> workers -> ClickHouse"
start_service worker-analytics env ADMIN_PORT=$((GRPC_PORT + 3)) LOG_LEVEL=warning "$BIN/SinkWorker" --family analytics
start_service worker-logs env ADMIN_PORT=$((GRPC_PORT + 4)) LOG_LEVEL=warning "$BIN/SinkWorker" --family logs
wait_for_port $((GRPC_PORT + 3)) worker-analytics
wait_for_port $((GRPC_PORT + 4)) worker-logs
# Probe: the gateway as fast as it goes for BENCH_SECONDS, then the workers drain the backlog (at most 60 s): the
# analytics rows landed over both phases per second is the rate the workers sustain (under-estimated when the
# backlog did not drain in time and was purged).
mixed=$WORK/mixed-100.req
landed_before=$(rows_written $((GRPC_PORT + 3)))
probe_start=$(date +%s.%N)
load "$WORK/e2e-probe" "$GRPC_PORT" "$mixed" -D "$SECS" -c "$CLIENTS" -m "$STREAMS"
drain_queues
probe_landed=$(calc "($(rows_written $((GRPC_PORT + 3))) - $landed_before) / ($(date +%s.%N) - $probe_start)")
# Run: open loop at 90% of the probe's landed rate for BENCH_E2E_SECONDS, depths sampled every second.
e2e_calls=$(python3 -c "print(max(1, round($probe_landed * 0.9 / 100 / $CLIENTS)))")
reset_peaks gateway worker-analytics worker-logs
analytics_before=$(rows_written $((GRPC_PORT + 3)))
logs_before=$(rows_written $((GRPC_PORT + 4)))
(
    for ((second = 0; second <= E2E_SECS + 5; second++)); do
        echo "$second $(tool depths "$MANAGEMENT" $QUEUES)"
        sleep 1
    done
) > "$WORK/depths.txt" &
sampler=$!
load "$WORK/e2e" "$GRPC_PORT" "$mixed" -D "$E2E_SECS" -c "$CLIENTS" -m 100 --rps "$e2e_calls"
wait "$sampler"
analytics_rows=$(($(rows_written $((GRPC_PORT + 3))) - analytics_before))
logs_rows=$(($(rows_written $((GRPC_PORT + 4))) - logs_before))
tool h2load "$WORK/e2e.out" > "$WORK/e2e.h2.json"
tool latency "$WORK/e2e.log" > "$WORK/e2e.lat.json"
python3 -c "
import json, sys
samples = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if len(line.split()) == 2]
half = [s for s in samples if s[0] >= len(samples) // 2]
n = len(half); mx = sum(t for t, _ in half) / n; my = sum(d for _, d in half) / n
slope = sum((t - mx) * (d - my) for t, d in half) / max(1e-9, sum((t - mx) ** 2 for t, _ in half))
json.dump({'samples': samples, 'max_depth': max(d for _, d in samples), 'final_depth': samples[-1][1],
           'second_half_growth_messages_per_second': round(slope, 2)}, open(sys.argv[2], 'w'))
" "$WORK/depths.txt" "$WORK/depths.json"
e2e_achieved=$(field "$WORK/e2e.h2.json" '["calls_per_second"]')
growth=$(field "$WORK/depths.json" '["second_half_growth_messages_per_second"]')
tool case "$WORK/row-e2e.json" mode=open-loop events_per_call=100 offered_calls_per_second=$((e2e_calls * CLIENTS)) \
    calls_per_second="$e2e_achieved" events_per_second="$(calc "$analytics_rows / $E2E_SECS")" \
    messages_per_second="$(calc "$e2e_achieved * 3")" \
    p50_ms="$(field "$WORK/e2e.lat.json" '["p50_ms"]')" p99_ms="$(field "$WORK/e2e.lat.json" '["p99_ms"]')" \
    rss_kib="$(rss gateway worker-analytics worker-logs)" \
    note="events/s landed in analytics (every event); logs rows/s $(calc "$logs_rows / $E2E_SECS"); depth growth $growth msg/s"
tool case "$RESULTS/$DATE-e2e.json" case=e2e rows=@["$WORK/row-e2e.json"] depths=@"$WORK/depths.json" \
    probe_landed_rows_per_second="$probe_landed" analytics_rows="$analytics_rows" logs_rows="$logs_rows" \
    seconds="$E2E_SECS" \
    summary="offered 90% of the probe's landed rate ($probe_landed rows/s): $(calc "$analytics_rows / $E2E_SECS") events/s landed, max depth $(field "$WORK/depths.json" '["max_depth"]'), second-half growth $growth msg/s"
drain_queues

say "flood: 5x the gateway's maximum for batches of 100"
flood_calls=$(python3 -c "print(max(1, round(${max_calls[100]} * 5 / 50)))")
reset_peaks gateway worker-analytics worker-logs
accepted_before=$(gateway_metric eventgrpc_gateway_batches_accepted_total)
refused_before=$(gateway_metric eventgrpc_gateway_batches_rejected_total RESOURCE_EXHAUSTED)
"$PY" bench/flood_probe.py "127.0.0.1:$GRPC_PORT" "$WORK/app-100.pb" 20 "$FLOOD_SECS" > "$WORK/probe.json" &
probe=$!
load "$WORK/flood" "$GRPC_PORT" "$WORK/app-100.req" -D "$FLOOD_SECS" -c 50 -m 100 --rps "$flood_calls"
wait "$probe"
accepted=$(($(gateway_metric eventgrpc_gateway_batches_accepted_total) - accepted_before))
refused=$(($(gateway_metric eventgrpc_gateway_batches_rejected_total RESOURCE_EXHAUSTED) - refused_before))
tool h2load "$WORK/flood.out" > "$WORK/flood.h2.json"
tool latency "$WORK/flood.log" > "$WORK/flood.lat.json"
refusal_rate=$(calc "$refused / max(1, $accepted + $refused)")
python3 -c "
import json, sys
probe = json.load(open(sys.argv[1]))
refused = probe.get('resource_exhausted', {'p50_ms': None, 'p99_ms': None})
print(f'{refused[\"p50_ms\"]} {refused[\"p99_ms\"]}')" "$WORK/probe.json" > "$WORK/refusal.txt"
read -r refusal_p50 refusal_p99 < "$WORK/refusal.txt"
tool case "$WORK/row-flood.json" mode=open-loop events_per_call=100 offered_calls_per_second=$((flood_calls * 50)) \
    calls_per_second="$(calc "$accepted / $FLOOD_SECS")" events_per_second="$(calc "$accepted * 100 / $FLOOD_SECS")" \
    messages_per_second="$(calc "$accepted / $FLOOD_SECS")" \
    p50_ms="$(field "$WORK/flood.lat.json" '["p50_ms"]')" p99_ms="$(field "$WORK/flood.lat.json" '["p99_ms"]')" \
    rss_kib="$(rss gateway worker-analytics worker-logs)" \
    note="refused $refusal_rate of answered calls; refusal latency p50 $refusal_p50 ms, p99 $refusal_p99 ms (probe)"
tool case "$RESULTS/$DATE-flood.json" case=flood rows=@["$WORK/row-flood.json"] accepted_batches="$accepted" \
    refused_batches="$refused" refusal_rate="$refusal_rate" probe=@"$WORK/probe.json" h2load=@"$WORK/flood.h2.json" \
    summary="5x offered: $refusal_rate of calls refused (RESOURCE_EXHAUSTED), refusal p50/p99 $refusal_p50/$refusal_p99 ms"
stop_service worker-analytics > /dev/null
stop_service worker-logs > /dev/null
tool purge "$MANAGEMENT" $QUEUES

say "peer: bench/peers/python_gateway.py (grpcio, thread pool of $GROUP, pika with confirms)"
start_service peer env PORT="$PEER_PORT" RABBIT_PORT="$RABBIT_PORT" PEER_WORKERS="$GROUP" "$PY" bench/peers/python_gateway.py
wait_for_port "$PEER_PORT" peer
rows=""
summary=""
for events in 1 10 100; do
    tool purge "$MANAGEMENT" $QUEUES
    load "$WORK/peer-$events" "$PEER_PORT" "$WORK/app-$events.req" -D "$SECS" -c "$CLIENTS" -m "$STREAMS"
    tool h2load "$WORK/peer-$events.out" > "$WORK/peer-$events.h2.json"
    tool latency "$WORK/peer-$events.log" > "$WORK/peer-$events.lat.json"
    peer_calls=$(field "$WORK/peer-$events.h2.json" '["calls_per_second"]')
    ratio=$(calc "${max_calls[$events]} / max(0.001, $peer_calls)")
    tool case "$WORK/row-peer-$events.json" mode=max events_per_call="$events" calls_per_second="$peer_calls" \
        events_per_second="$(calc "$peer_calls * $events")" messages_per_second="$peer_calls" \
        p50_ms="$(field "$WORK/peer-$events.lat.json" '["p50_ms"]')" \
        p99_ms="$(field "$WORK/peer-$events.lat.json" '["p99_ms"]')" rss_kib="$(rss peer)" \
        ours_over_peer="$ratio" note="ours/peer = $ratio"
    rows+="${rows:+,}$WORK/row-peer-$events.json"
    summary+="${summary:+, }$events/call ours/peer = $ratio"
done
tool case "$RESULTS/$DATE-peer.json" case=peer rows=@["$rows"] summary="$summary"
stop_service peer > /dev/null || true

say "results in $RESULTS"
for name in accept-1 accept-10 accept-100 raw-1 raw-10 raw-100 e2e flood peer; do
    [[ -s "$RESULTS/$DATE-$name.json" ]] || { echo "bench: case $name wrote no $RESULTS/$DATE-$name.json" >&2; exit 1; }
done
"$PY" bench/tools.py report "$RESULTS" "$DATE"
[[ -s "$RESULTS/$DATE-summary.md" && -s "$RESULTS/$DATE-plot.png" ]] || { echo "bench: no summary or plot" >&2; exit 1; }
stop_service gateway > /dev/null
echo "bench ($MODE): every case wrote its JSON; table $RESULTS/$DATE-summary.md, plot $RESULTS/$DATE-plot.png"

#!/usr/bin/env bash
# `make test`: installs what is missing, builds, starts a private stack on test ports, runs every Swift test
# (unit and integration), validates docker-compose.yml, checks the documentation's links, the descriptor set and the
# deploy kit (manifests, alert rules), lints the gateway's and a worker's /metrics with promtool, runs the README's
# first-event path and checks deploy/'s metric names against a live scrape, runs the grpcio end-to-end suite
# against a real gateway and workers, runs `make bench-smoke` (its own stack), and stops everything it started
# whatever happened.
#
# Environment (default): TEST_RABBIT_PORT (5682), TEST_RABBIT_MANAGEMENT_PORT (15682), TEST_RABBIT_DIST_PORT
# (25682), TEST_EPMD_PORT (4379), TEST_CLICKHOUSE_PORT (8133), TEST_CLICKHOUSE_TCP_PORT (9010), TEST_GRPC_PORT
# (8117), TEST_ADMIN_PORT (8119), TEST_WORKER_ADMIN_PORT (TEST_ADMIN_PORT + 1: the first worker's admin port, the
# next worker the next port), TEST_RABBIT_TLS_PORT (5683, AMQPS) and TEST_CLICKHOUSE_HTTPS_PORT (8134, HTTPS): the
# stack's TLS listeners beside the plaintext ones, serving certificates of scripts/test-certs.sh (in
# .run/test-stack/certs) for the TLS tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh

export RABBIT_PORT=${TEST_RABBIT_PORT:-5682}
export RABBIT_MANAGEMENT_PORT=${TEST_RABBIT_MANAGEMENT_PORT:-15682}
export RABBIT_DIST_PORT=${TEST_RABBIT_DIST_PORT:-25682}
export EPMD_PORT=${TEST_EPMD_PORT:-4379}
export CLICKHOUSE_PORT=${TEST_CLICKHOUSE_PORT:-8133}
export CLICKHOUSE_TCP_PORT=${TEST_CLICKHOUSE_TCP_PORT:-9010}
# Not exported: bench.sh starts a stack of its own, without TLS listeners.
RABBIT_TLS_PORT=${TEST_RABBIT_TLS_PORT:-5683}
CLICKHOUSE_HTTPS_PORT=${TEST_CLICKHOUSE_HTTPS_PORT:-8134}
GRPC_PORT=${TEST_GRPC_PORT:-8117}
ADMIN_PORT=${TEST_ADMIN_PORT:-8119}
WORKER_ADMIN_PORT=${TEST_WORKER_ADMIN_PORT:-$((ADMIN_PORT + 1))}
STACK_DIR=$ROOT/.run/test-stack
PIDS_DIR=$ROOT/.run/test-pids
LOGS_DIR=$ROOT/.run/test-logs
SPOOL_DIR=$ROOT/.run/test-spool
started=$(date +%s)

cleanup() {
    local status=$?
    stop_all_services > /dev/null 2>&1 || true
    scripts/stack.sh stop "$STACK_DIR" || true
    echo "make test: finished in $(($(date +%s) - started)) s with status $status"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh venv compose
scripts/promtool.sh --version > /dev/null

step "format (swift format lint --strict, swift-nio's settings in .swift-format)"
swift format lint --strict --recursive Package.swift Sources Tests
echo "swift format: clean"

step "build (debug, with tests; revision $(scripts/version.sh) compiled in)"
swift build --build-tests

step "layers: release build, C modules with their owners only, each binary links only its C libraries"
swift build -c release --product IngestGateway
swift build -c release --product SinkWorker
scripts/check-layers.sh "$(swift build -c release --show-bin-path)"

step "docker-compose.yml (offline validation; no Docker engine here)"
ADMIN_TOKEN=offline-validation RABBIT_PASSWORD=offline-validation docker-compose -f docker-compose.yml config -q
ADMIN_TOKEN=offline-validation RABBIT_PASSWORD=offline-validation docker-compose -f docker-compose.yml \
    --profile monitoring config -q
echo "docker-compose.yml is valid (with and without the monitoring profile)"

step "documentation and deploy kit: links, descriptor set, manifests, compose settings, alert rules"
scripts/interop-venv.sh
.venv/bin/python scripts/check-links.py
scripts/protoset.sh --check
.venv/bin/python scripts/check-deploy.py static
scripts/promtool.sh check rules deploy/prometheus/alerts.yml
scripts/promtool.sh check config deploy/prometheus/prometheus.yml

step "stack on test ports (RabbitMQ $RABBIT_PORT and AMQPS $RABBIT_TLS_PORT, ClickHouse HTTP $CLICKHOUSE_PORT and HTTPS $CLICKHOUSE_HTTPS_PORT)"
RABBIT_TLS_PORT=$RABBIT_TLS_PORT CLICKHOUSE_HTTPS_PORT=$CLICKHOUSE_HTTPS_PORT scripts/stack.sh start "$STACK_DIR"

# One test at a time: Swift Testing runs parallel tests on the cooperative pool (two threads on two cores), so
# tests that block a thread on a socket or a C library starve each other's deadlines on a loaded machine (seen in
# CI). Serial, the suite takes about 40 s instead of 15 and passes with the cores busy with other work.
step "Swift tests, one at a time: unit and integration against the real servers"
RABBIT_TLS_PORT=$RABBIT_TLS_PORT CLICKHOUSE_HTTPS_PORT=$CLICKHOUSE_HTTPS_PORT TLS_CERTS_DIR=$STACK_DIR/certs \
    INTEGRATION=required swift test --skip-build --no-parallel --skip AMQPBrokerRestartTests

step "broker crash (kill -9, restart): publisher reconnects, consumer resubscribes by itself"
INTEGRATION=required AMQP_DISRUPTIVE=1 \
    AMQP_RESTART_COMMAND="scripts/stack.sh kill-rabbit '$STACK_DIR' && scripts/stack.sh start-rabbit '$STACK_DIR'" \
    swift test --skip-build --no-parallel --filter AMQPBrokerRestartTests

step "end to end with the official grpcio client"
scripts/interop-venv.sh
rm -rf "$LOGS_DIR" "$SPOOL_DIR"
start_service gateway env PORT="$GRPC_PORT" ADMIN_PORT="$ADMIN_PORT" SPOOL_DIR="$SPOOL_DIR" .build/debug/IngestGateway
worker_admin_port=$WORKER_ADMIN_PORT
for family in analytics logs; do
    start_service "worker-$family" env ADMIN_PORT="$worker_admin_port" .build/debug/SinkWorker --family "$family"
    worker_admin_port=$((worker_admin_port + 1))
done
wait_for_port "$GRPC_PORT" gateway
# check_metrics NAME PORT: the process's /metrics must pass Prometheus's own lint (promtool prints nothing).
check_metrics() {
    local lint
    wait_for_port "$2" "$1"
    if ! lint=$(curl -fsS --max-time 30 "http://127.0.0.1:$2/metrics" | scripts/promtool.sh check metrics 2>&1) \
        || [[ -n "$lint" ]]; then
        echo "promtool check metrics failed on $1 (port $2):" >&2
        echo "$lint" >&2
        return 1
    fi
    echo "promtool check metrics: $1 clean"
}
check_metrics gateway "$ADMIN_PORT"
check_metrics worker-analytics "$WORKER_ADMIN_PORT"
# Series an alert needs before the first event: present right after start (at zero), not only once it happened.
gateway_metrics=$(curl -fsS --max-time 30 "http://127.0.0.1:$ADMIN_PORT/metrics")
worker_metrics=$(curl -fsS --max-time 30 "http://127.0.0.1:$WORKER_ADMIN_PORT/metrics")
for code in INVALID_ARGUMENT UNAUTHENTICATED RESOURCE_EXHAUSTED; do
    grep -qxF "eventgrpc_gateway_batches_rejected_total{code=\"$code\"} 0" <<< "$gateway_metrics" \
        || { echo "gateway /metrics lacks eventgrpc_gateway_batches_rejected_total{code=\"$code\"} 0" >&2; exit 1; }
done
grep -q '^eventgrpc_worker_last_insert_timestamp_seconds{queue="[^"]*"} ' <<< "$worker_metrics" \
    || { echo "worker /metrics lacks eventgrpc_worker_last_insert_timestamp_seconds{queue}" >&2; exit 1; }
echo "metrics present at start: rejections by code, last insert per queue"
# The README's first event (grpcurl and the Python client, as written there), its queries and its retry service
# config, on this gateway and ClickHouse.
GRPC_PORT=$GRPC_PORT CLICKHOUSE_PORT=$CLICKHOUSE_PORT scripts/check-readme.sh
# Every metric name the alert rules and the dashboard of deploy/ use must be in a live scrape of the gateway and of
# both workers.
scrapes=()
for port in "$ADMIN_PORT" "$WORKER_ADMIN_PORT" "$((WORKER_ADMIN_PORT + 1))"; do
    wait_for_port "$port" "admin port $port"
    curl -fsS --max-time 30 "http://127.0.0.1:$port/metrics" > "$LOGS_DIR/scrape-$port.txt"
    scrapes+=("$LOGS_DIR/scrape-$port.txt")
done
.venv/bin/python scripts/check-deploy.py metrics "${scrapes[@]}"
# Interop tests may start processes of their own (EVENTGRPC_BIN) and stop or kill the servers (scripts/stack.sh
# with STACK_DIR); a test that does so restores them before it ends.
GATEWAY_ADDR=127.0.0.1:$GRPC_PORT CLICKHOUSE_URL=http://127.0.0.1:$CLICKHOUSE_PORT ADMIN_ADDR=127.0.0.1:$ADMIN_PORT \
    EVENTGRPC_BIN=$ROOT/.build/debug STACK_DIR=$STACK_DIR \
    .venv/bin/python -m pytest -s -p no:cacheprovider interop/tests

step "graceful stop (SIGTERM): every process must exit 0"
stop_all_services

step "bench smoke: every make bench case for about a second on its own stack and ports (no performance checks)"
BENCH_MODE=smoke scripts/bench.sh

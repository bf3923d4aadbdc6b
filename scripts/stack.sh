#!/usr/bin/env bash
# A private RabbitMQ and ClickHouse on 127.0.0.1, with all data, logs, configs and pid files under one directory.
#
# Usage: scripts/stack.sh COMMAND [DIR]
#   start | stop | status           the whole stack (start installs missing Debian packages first)
#   start-rabbit | stop-rabbit      the broker alone
#   kill-rabbit                     kill -9 the broker's beam.smp (a crash, for failure tests; epmd keeps running)
#   start-clickhouse | stop-clickhouse
#   env                             print the stack's settings as shell assignments
#   rabbitmqctl DIR ARGS...         run rabbitmqctl against the stack's node (for failure tests)
# DIR defaults to .run/stack in the repository.
#
# Environment (default): RABBIT_PORT (5672), RABBIT_MANAGEMENT_PORT (15672), RABBIT_DIST_PORT (25672),
# EPMD_PORT (4369), CLICKHOUSE_PORT (8123, HTTP), CLICKHOUSE_TCP_PORT (9000), STACK_START_TIMEOUT (120 s),
# STACK_STOP_TIMEOUT (30 s). TLS listeners, off unless given a port (0 or unset: off), beside the plaintext ones:
# RABBIT_TLS_PORT (AMQPS) and CLICKHOUSE_HTTPS_PORT (HTTPS), both serving DIR/certs/server.pem for localhost and
# 127.0.0.1, signed by the test CA DIR/certs/ca.pem (made by scripts/test-certs.sh DIR/certs; clients trust
# ca.pem). RabbitMQ verifies a client certificate when one is offered (signed by the test CA) and does not require
# one. `start` records the ports in DIR/stack.env; later commands on the same DIR read them
# from there: while any process of DIR runs, those win over the environment.
#
# Safety: only processes whose pid is recorded under DIR AND whose environment carries EVENTGRPC_STACK_DIR=DIR are
# ever signalled, so a stale pid file can never hit a process this stack did not start.
set -euo pipefail

readonly RABBIT_BIN=/usr/lib/rabbitmq/bin
readonly CLICKHOUSE_BIN=/usr/sbin/clickhouse-server
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly ROOT

say() { echo "stack: $*"; }
die() { echo "stack: $*" >&2; exit 1; }

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# --- settings ---------------------------------------------------------------------------------------------------

COMMAND=${1:-}
[[ -n "$COMMAND" ]] || usage
DIR=${2:-$ROOT/.run/stack}
DIR=$(realpath -m -- "$DIR")
[[ "$DIR" =~ ^[A-Za-z0-9_./+-]+$ ]] || die "DIR '$DIR' may hold only letters, digits and _ . / + - (it goes into XML and Erlang arguments)"
readonly DIR
export EVENTGRPC_STACK_DIR=$DIR

load_settings() {
    local saved=$DIR/stack.env key
    declare -A from_file=()
    if [[ -f "$saved" ]]; then
        local value
        while IFS="=" read -r key value; do
            [[ "$key" =~ ^[A-Z_]+$ ]] && from_file[$key]=$value
        done < "$saved"
    fi
    # While a process of this stack runs, the ports it was started with win; otherwise the environment does.
    local running=no
    if running_pid "$R/beam.pid" > /dev/null || running_pid "$R/launcher.pid" > /dev/null ||
        running_pid "$R/epmd.pid" > /dev/null || running_pid "$C/clickhouse.pid" > /dev/null; then
        running=yes
    fi
    setting() { # NAME DEFAULT [off]; the value must be a port number (or 0 with `off`: no such listener)
        local name=$1 value
        if [[ $running == yes && -n "${from_file[$1]:-}" ]]; then
            value=${from_file[$1]}
            [[ -z "${!1:-}" || "${!1}" == "$value" ]] ||
                echo "stack: $DIR runs with $name=$value (ignoring $name=${!1} from the environment)" >&2
        else
            value=${!1:-${from_file[$1]:-$2}}
        fi
        if [[ "${3:-}" == off && "$value" == 0 ]]; then
            :
        elif ! [[ "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
            die "$name='$value' is not a port number"
        fi
        printf -v "$name" '%s' "$value"
    }
    setting RABBIT_PORT 5672
    setting RABBIT_MANAGEMENT_PORT 15672
    setting RABBIT_DIST_PORT 25672
    setting EPMD_PORT 4369
    setting CLICKHOUSE_PORT 8123
    setting CLICKHOUSE_TCP_PORT 9000
    setting RABBIT_TLS_PORT 0 off
    setting CLICKHOUSE_HTTPS_PORT 0 off
    START_TIMEOUT=${STACK_START_TIMEOUT:-120}
    STOP_TIMEOUT=${STACK_STOP_TIMEOUT:-30}
    [[ "$START_TIMEOUT$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "STACK_START_TIMEOUT and STACK_STOP_TIMEOUT must be seconds"
    # The node name is unique per directory and port, so two stacks can run side by side.
    NODE="rabbit-$(printf '%s' "$DIR" | cksum | cut -d' ' -f1)-$RABBIT_PORT@localhost"
}
R=$DIR/rabbitmq
C=$DIR/clickhouse
CERTS=$DIR/certs

save_settings() {
    mkdir -p "$DIR"
    cat > "$DIR/stack.env" <<EOF
RABBIT_PORT=$RABBIT_PORT
RABBIT_MANAGEMENT_PORT=$RABBIT_MANAGEMENT_PORT
RABBIT_DIST_PORT=$RABBIT_DIST_PORT
EPMD_PORT=$EPMD_PORT
CLICKHOUSE_PORT=$CLICKHOUSE_PORT
CLICKHOUSE_TCP_PORT=$CLICKHOUSE_TCP_PORT
RABBIT_TLS_PORT=$RABBIT_TLS_PORT
CLICKHOUSE_HTTPS_PORT=$CLICKHOUSE_HTTPS_PORT
TLS_CERTS_DIR=$CERTS
RABBIT_NODE=$NODE
EOF
}

# The test certificates, when a TLS listener is configured.
make_certs() {
    ((RABBIT_TLS_PORT == 0 && CLICKHOUSE_HTTPS_PORT == 0)) || "$ROOT/scripts/test-certs.sh" "$CERTS" > /dev/null
}

# The ports given that are not 0 (TLS listeners that are on), for require_free_ports.
ports_on() {
    local port
    for port in "$@"; do
        ((port == 0)) || echo "$port"
    done
}

# --- processes ----------------------------------------------------------------------------------------------------

# True when PID is alive, not a zombie (PID 1 here reaps late, and kill -0 succeeds on a zombie), and was started
# by this stack (its environment names DIR).
is_ours() {
    local pid=$1 stat state environ
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    state=${stat%% *}
    [[ "$state" != Z && "$state" != X ]] || return 1
    environ=$({ tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null) || return 1
    [[ $'\n'"$environ"$'\n' == *$'\n'"EVENTGRPC_STACK_DIR=$DIR"$'\n'* ]]
}

# Prints the pid recorded in FILE when that process is ours and running.
running_pid() {
    local pid
    [[ -f "$1" ]] || return 1
    pid=$(tr -d ' \n' < "$1")
    is_ours "$pid" || return 1
    printf '%s' "$pid"
}

# Waits up to SECONDS for PID to be gone; true when it is.
wait_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while is_ours "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# SIGTERM, wait STOP_TIMEOUT, then SIGKILL. Only for pids that is_ours accepted.
terminate() {
    local name=$1 pid=$2
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" "$STOP_TIMEOUT" && return 0
    say "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || die "$name (pid $pid) survived SIGKILL"
}

# After `( ... exec setsid PROGRAM ) &`: waits (up to 10 s) until the child has exec'd. Until then its
# /proc/PID/environ is this script's start-up environment, without EVENTGRPC_STACK_DIR, so is_ours would call a
# starting process gone (a spurious "exited while starting" on a loaded machine). Returns at once if it died.
await_exec() {
    local pid deadline=$((SECONDS + 10))
    pid=$(tr -d ' \n' < "$1")
    while ! is_ours "$pid" && kill -0 "$pid" 2> /dev/null && ((SECONDS < deadline)); do
        sleep 0.05
    done
}

port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

require_free_ports() {
    local port
    for port in "$@"; do
        ! port_open "$port" || die "port 127.0.0.1:$port is taken by a process this stack did not start (set other ports, see the header of $0)"
    done
}

log_tail() {
    local file
    for file in "$@"; do
        [[ -s "$file" ]] || continue
        echo "----- last lines of $file" >&2
        tail -n 40 "$file" >&2
    done
}

load_settings

# --- RabbitMQ -----------------------------------------------------------------------------------------------------

rabbit_env() {
    export HOME=$R/home
    export RABBITMQ_NODENAME=$NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
    export RABBITMQ_CONF_ENV_FILE=$R/rabbitmq-env.conf RABBITMQ_CONFIG_FILE=$R/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$R/advanced.config RABBITMQ_ENABLED_PLUGINS_FILE=$R/enabled_plugins
    export RABBITMQ_MNESIA_BASE=$R/mnesia RABBITMQ_LOG_BASE=$R/log RABBITMQ_PID_FILE=$R/beam.pid
    export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$EPMD_PORT ERL_CRASH_DUMP=$R/log/erl_crash.dump
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_CTL_DIST_PORT_MIN=$((RABBIT_DIST_PORT + 10000))
}

rabbitmqctl() {
    (rabbit_env && "$RABBIT_BIN/rabbitmqctl" -n "$NODE" "$@")
}

write_rabbit_config() {
    mkdir -p "$R/home" "$R/mnesia" "$R/log"
    if [[ ! -s "$R/home/.erlang.cookie" ]]; then
        (umask 077 && od -An -N20 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F' > "$R/home/.erlang.cookie")
        chmod 400 "$R/home/.erlang.cookie"
    fi
    : > "$R/rabbitmq-env.conf" # keeps /etc/rabbitmq/rabbitmq-env.conf out
    echo '[rabbitmq_management].' > "$R/enabled_plugins"
    cat > "$R/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
loopback_users = none
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MANAGEMENT_PORT
collect_statistics_interval = 1000
log.console = false
log.file.level = info
EOF
    if ((RABBIT_TLS_PORT != 0)); then
        cat >> "$R/rabbitmq.conf" <<EOF
listeners.ssl.1 = 127.0.0.1:$RABBIT_TLS_PORT
ssl_options.cacertfile = $CERTS/ca.pem
ssl_options.certfile = $CERTS/server.pem
ssl_options.keyfile = $CERTS/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
EOF
    fi
}

start_epmd() {
    local pid
    if pid=$(running_pid "$R/epmd.pid"); then
        return 0
    fi
    rm -f "$R/epmd.pid"
    if port_open "$EPMD_PORT"; then
        say "epmd: port $EPMD_PORT already has an epmd this stack did not start; registering there (stop leaves it)"
        return 0
    fi
    (cd "$R" && ERL_EPMD_ADDRESS=127.0.0.1 exec setsid epmd -port "$EPMD_PORT" -address 127.0.0.1 \
        >> "$R/log/epmd.log" 2>&1 < /dev/null) &
    echo $! > "$R/epmd.pid"
    await_exec "$R/epmd.pid"
    local deadline=$((SECONDS + 10))
    until port_open "$EPMD_PORT"; do
        is_ours "$(cat "$R/epmd.pid")" || { log_tail "$R/log/epmd.log"; die "epmd exited at start"; }
        ((SECONDS < deadline)) || { log_tail "$R/log/epmd.log"; die "epmd did not listen on $EPMD_PORT within 10s"; }
        sleep 0.1
    done
}

rabbit_management_answers() {
    curl -fsS --max-time 2 -o /dev/null -u guest:guest "http://127.0.0.1:$RABBIT_MANAGEMENT_PORT/api/overview" 2> /dev/null
}

rabbit_failed() {
    log_tail "$R/log/launcher.out" "$R/log/$NODE.log"
    die "rabbitmq: $1"
}

wait_rabbit() {
    local deadline=$((SECONDS + START_TIMEOUT))
    local stage=amqp
    while :; do
        running_pid "$R/beam.pid" > /dev/null || running_pid "$R/launcher.pid" > /dev/null ||
            rabbit_failed "the broker exited while starting"
        ((SECONDS < deadline)) || rabbit_failed "not ready within ${START_TIMEOUT}s (waiting for $stage)"
        case $stage in
            amqp)
                port_open "$RABBIT_PORT" && { ((RABBIT_TLS_PORT == 0)) || port_open "$RABBIT_TLS_PORT"; } &&
                    stage=management
                ;;
            management) rabbit_management_answers && stage=await_startup ;;
            await_startup)
                rabbitmqctl -q await_startup --timeout $((deadline - SECONDS + 1)) > /dev/null 2>&1 && break
                ;;
        esac
        sleep 0.3
    done
    say "rabbitmq: ready (pid $(running_pid "$R/beam.pid"), node $NODE, amqp 127.0.0.1:$RABBIT_PORT,$( ((RABBIT_TLS_PORT == 0)) || echo " amqps 127.0.0.1:$RABBIT_TLS_PORT,")" \
        "management http://127.0.0.1:$RABBIT_MANAGEMENT_PORT)"
}

start_rabbit() {
    local pid
    if pid=$(running_pid "$R/beam.pid") && port_open "$RABBIT_PORT" && rabbit_management_answers; then
        say "rabbitmq: already running (pid $pid, node $NODE)"
        return 0
    fi
    if ! running_pid "$R/beam.pid" > /dev/null && ! running_pid "$R/launcher.pid" > /dev/null; then
        rm -f "$R/beam.pid" "$R/launcher.pid"
        # shellcheck disable=SC2046 # one word per port
        require_free_ports "$RABBIT_PORT" "$RABBIT_MANAGEMENT_PORT" "$RABBIT_DIST_PORT" $(ports_on "$RABBIT_TLS_PORT")
        save_settings
        make_certs
        write_rabbit_config
        start_epmd
        (rabbit_env && cd "$R" && exec setsid "$RABBIT_BIN/rabbitmq-server" >> "$R/log/launcher.out" 2>&1 < /dev/null) &
        echo $! > "$R/launcher.pid"
        await_exec "$R/launcher.pid"
        say "rabbitmq: starting node $NODE"
    else
        say "rabbitmq: already starting, waiting for it"
    fi
    wait_rabbit
}

stop_rabbit() {
    local pid stopped=
    if pid=$(running_pid "$R/beam.pid"); then
        terminate rabbitmq "$pid"
        stopped=1
    fi
    if pid=$(running_pid "$R/launcher.pid"); then
        terminate "rabbitmq launcher" "$pid"
        stopped=1
    fi
    rm -f "$R/beam.pid" "$R/launcher.pid"
    [[ -n "$stopped" ]] && say "rabbitmq: stopped" || true
}

stop_epmd() {
    local pid
    if pid=$(running_pid "$R/epmd.pid"); then
        terminate epmd "$pid"
        say "epmd: stopped"
    fi
    rm -f "$R/epmd.pid"
}

kill_rabbit() {
    local pid
    pid=$(running_pid "$R/beam.pid") || die "rabbitmq: not running, nothing to kill"
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == beam.smp ]] || die "rabbitmq: pid $pid is not beam.smp"
    kill -KILL "$pid"
    wait_gone "$pid" 10 || die "rabbitmq: pid $pid survived SIGKILL"
    # The launcher script exits once beam.smp is gone; wait for it, so that an immediate start-rabbit starts a new
    # node instead of waiting on a launcher that is about to exit.
    local launcher
    if launcher=$(running_pid "$R/launcher.pid"); then
        wait_gone "$launcher" 10 || kill -KILL "$launcher" 2> /dev/null || true
    fi
    rm -f "$R/beam.pid" "$R/launcher.pid"
    say "rabbitmq: killed beam.smp (pid $pid) with SIGKILL"
}

# --- ClickHouse ---------------------------------------------------------------------------------------------------

write_clickhouse_config() {
    mkdir -p "$C/data" "$C/tmp" "$C/user_files" "$C/format_schemas" "$C/log"
    cat > "$C/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>$C/log/clickhouse-server.log</log>
        <errorlog>$C/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$CLICKHOUSE_PORT</http_port>
    <tcp_port>$CLICKHOUSE_TCP_PORT</tcp_port>
    <path>$C/data/</path>
    <tmp_path>$C/tmp/</tmp_path>
    <user_files_path>$C/user_files/</user_files_path>
    <format_schema_path>$C/format_schemas/</format_schema_path>
    <users_config>$C/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>$(clickhouse_tls_config)
    <!-- Merged-away parts are deleted after 30 s instead of 8 minutes: one-row inserts (a backlog of small
         messages) otherwise leave tens of thousands of part directories behind, and the next start or DROP
         takes minutes. -->
    <merge_tree>
        <old_parts_lifetime>30</old_parts_lifetime>
    </merge_tree>
</yandex>
EOF
    cat > "$C/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

# The HTTPS port and its certificate, when CLICKHOUSE_HTTPS_PORT is set (ClickHouse 18.16 and current releases
# read the same <openSSL><server> section).
clickhouse_tls_config() {
    ((CLICKHOUSE_HTTPS_PORT != 0)) || return 0
    cat <<EOF

    <https_port>$CLICKHOUSE_HTTPS_PORT</https_port>
    <openSSL>
        <server>
            <certificateFile>$CERTS/server.pem</certificateFile>
            <privateKeyFile>$CERTS/server.key</privateKeyFile>
            <verificationMode>none</verificationMode>
            <loadDefaultCAFile>false</loadDefaultCAFile>
            <cacheSessions>true</cacheSessions>
            <disableProtocols>sslv2,sslv3</disableProtocols>
            <preferServerCiphers>true</preferServerCiphers>
        </server>
    </openSSL>
EOF
}

clickhouse_ping() {
    [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$CLICKHOUSE_PORT/ping" 2> /dev/null)" == "Ok." ]]
}

start_clickhouse() {
    local pid
    if pid=$(running_pid "$C/clickhouse.pid"); then
        clickhouse_ping && { say "clickhouse: already running (pid $pid)"; return 0; }
        say "clickhouse: already starting (pid $pid), waiting for it"
    else
        rm -f "$C/clickhouse.pid"
        # shellcheck disable=SC2046 # one word per port
        require_free_ports "$CLICKHOUSE_PORT" "$CLICKHOUSE_TCP_PORT" $(ports_on "$CLICKHOUSE_HTTPS_PORT")
        save_settings
        make_certs
        write_clickhouse_config
        (cd "$C" && exec setsid "$CLICKHOUSE_BIN" --config-file="$C/config.xml" \
            >> "$C/log/stdout.log" 2>&1 < /dev/null) &
        echo $! > "$C/clickhouse.pid"
        await_exec "$C/clickhouse.pid"
    fi
    local deadline=$((SECONDS + START_TIMEOUT))
    until clickhouse_ping && { ((CLICKHOUSE_HTTPS_PORT == 0)) || port_open "$CLICKHOUSE_HTTPS_PORT"; }; do
        pid=$(running_pid "$C/clickhouse.pid") || {
            log_tail "$C/log/stdout.log" "$C/log/clickhouse-server.err.log"
            die "clickhouse: exited while starting"
        }
        ((SECONDS < deadline)) || {
            log_tail "$C/log/stdout.log" "$C/log/clickhouse-server.err.log"
            die "clickhouse: /ping did not answer Ok. (or the HTTPS port did not open) within ${START_TIMEOUT}s"
        }
        sleep 0.2
    done
    say "clickhouse: ready (pid $(running_pid "$C/clickhouse.pid"), http 127.0.0.1:$CLICKHOUSE_PORT," \
        "tcp 127.0.0.1:$CLICKHOUSE_TCP_PORT$( ((CLICKHOUSE_HTTPS_PORT == 0)) || echo ", https 127.0.0.1:$CLICKHOUSE_HTTPS_PORT"))"
}

stop_clickhouse() {
    local pid
    if pid=$(running_pid "$C/clickhouse.pid"); then
        terminate clickhouse "$pid"
        say "clickhouse: stopped"
    fi
    rm -f "$C/clickhouse.pid"
}

# --- whole stack --------------------------------------------------------------------------------------------------

status() {
    local pid down=0
    if pid=$(running_pid "$R/beam.pid") && port_open "$RABBIT_PORT"; then
        say "rabbitmq: running (pid $pid, node $NODE, amqp 127.0.0.1:$RABBIT_PORT," \
            "management 127.0.0.1:$RABBIT_MANAGEMENT_PORT)"
    else
        say "rabbitmq: down"
        down=1
    fi
    if pid=$(running_pid "$R/epmd.pid"); then
        say "epmd: running (pid $pid, 127.0.0.1:$EPMD_PORT)"
    fi
    if pid=$(running_pid "$C/clickhouse.pid") && clickhouse_ping; then
        say "clickhouse: running (pid $pid, http 127.0.0.1:$CLICKHOUSE_PORT, tcp 127.0.0.1:$CLICKHOUSE_TCP_PORT)"
    else
        say "clickhouse: down"
        down=1
    fi
    return "$down"
}

case $COMMAND in
    start)
        "$ROOT/scripts/install-deps.sh"
        start_clickhouse
        start_rabbit
        ;;
    stop)
        stop_rabbit
        stop_epmd
        stop_clickhouse
        ;;
    status) status ;;
    start-rabbit) start_rabbit ;;
    stop-rabbit) stop_rabbit ;;
    kill-rabbit) kill_rabbit ;;
    start-clickhouse) start_clickhouse ;;
    stop-clickhouse) stop_clickhouse ;;
    env)
        [[ -f "$DIR/stack.env" ]] || save_settings
        cat "$DIR/stack.env"
        ;;
    rabbitmqctl)
        shift 2
        rabbitmqctl "$@"
        ;;
    *) usage ;;
esac

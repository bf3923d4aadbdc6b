# Starting and stopping the project's own processes (gateway, workers) for run.sh and test.sh.
# Source it; it defines functions only. Each process's pid goes in $PIDS_DIR/NAME.pid, its log in $LOGS_DIR/NAME.log.

# start_service NAME COMMAND... : starts COMMAND in the background with its output in the log.
start_service() {
    local name=$1
    shift
    mkdir -p "$PIDS_DIR" "$LOGS_DIR"
    "$@" >> "$LOGS_DIR/$name.log" 2>&1 &
    echo $! > "$PIDS_DIR/$name.pid"
}

# wait_for_port PORT NAME [SECONDS]: waits until something accepts TCP connections on 127.0.0.1:PORT.
wait_for_port() {
    local port=$1 name=$2 limit=${3:-30} waited=0
    until (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do
        if ((waited >= limit * 10)); then
            echo "$name did not open port $port within ${limit}s; its log:" >&2
            tail -n 30 "$LOGS_DIR/$name.log" >&2 || true
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

# alive PID: true while the process runs and is not a zombie (PID 1 here reaps late).
alive() {
    [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2> /dev/null) != Z ]]
}

# stop_service NAME [SECONDS]: SIGTERM, wait for the exit (SIGKILL after SECONDS, default 35), prints the
# exit code as "NAME exited with N"; returns that code (137 after a SIGKILL).
stop_service() {
    local name=$1 limit=${2:-35} pid waited=0 code=0
    [[ -f "$PIDS_DIR/$name.pid" ]] || return 0
    pid=$(cat "$PIDS_DIR/$name.pid")
    rm -f "$PIDS_DIR/$name.pid"
    kill -TERM "$pid" 2> /dev/null || return 0
    while alive "$pid"; do
        if ((waited >= limit * 10)); then
            echo "$name did not exit within ${limit}s after SIGTERM; killing it" >&2
            kill -KILL "$pid" 2> /dev/null || true
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    wait "$pid" 2> /dev/null || code=$?
    echo "$name exited with $code"
    return "$code"
}

# stop_all_services: stops every service with a pid file, gateway last so workers drain first is not needed:
# the broker keeps what they did not ack.
stop_all_services() {
    local file status=0
    for file in "$PIDS_DIR"/*.pid; do
        [[ -e "$file" ]] || continue
        stop_service "$(basename "$file" .pid)" || status=$?
    done
    return "$status"
}

"""`make bench` (BENCH_MODE=full) and `make bench-smoke` (BENCH_MODE=smoke), through scripts/bench.sh: the gateway
and the workers beside the broker's own ceiling and a Python peer, on a private stack with its own ports, in one run.
Cases:
  accept-N   gateway accept rate with confirms for batches of N = 1, 10, 100 events: as fast as possible
             (h2load, closed loop) and at fixed rates below that (h2load --rps, open loop) for latency
  accept-100-tls  accept-100's closed loop against a second gateway whose gRPC port speaks TLS (certificates from
             scripts/test-certs.sh; h2load over https, ALPN h2), alternated with the plaintext gateway in the same
             run (BENCH_TLS_ROUNDS rounds each): TLS events/s over plaintext's (mean rates, and the median of the
             rounds' ratios: the machine is shared), and the CPU per event of each (/proc)
  raw-N      BenchRawPublisher: the same broker messages, the same confirm grouping, rabbitmq-c alone
  e2e-N      gateway -> RabbitMQ -> workers -> ClickHouse, both families, open loop at a fixed offered rate of events
             in calls of N = 100 events (mixed-100: half app.open, a quarter each log.trace and log.post) or of N = 1
             (three h2loads: app.open, log.trace and log.post calls at 50/25/25 % of the rate). Every second:
             ClickHouse's InsertedRows and InsertQuery (system.events), the three queue depths, the gateway's
             accepted events. Reports the landed rows/s (InsertedRows), landed/accepted (each event lands once in
             analytics and the log events once more in logs: 1.5 rows per event), the depth slope, rows per insert
             and inserts/s per table (the workers' eventgrpc_worker_batch_rows histogram per queue), CPU per call
             (gateway) and per row (workers); then waits for the queues to empty and reports landed/accepted after
             the drain
  backlog    workers stopped, the gateway takes BENCH_BACKLOG_EVENTS events in mixed-100 calls as fast as it goes,
             then the workers start: drain rate (InsertedRows, until every row landed or BENCH_BACKLOG_TIMEOUT),
             rows per insert per table, worker CPU per row (/proc/PID/stat utime+stime over the drain)
  flood      5x the gateway's maximum: refusals (a grpcio probe sees their status and latency), RSS
  peer       bench/peers/python_gateway.py (grpcio + pika with confirms) under the same h2load load
accept-N, e2e-N and backlog record the gateway's CPU (utime+stime from /proc/PID/stat) per accepted call and event
(gateway_cpu_us_per_call, gateway_cpu_us_per_event), raw-N the raw publisher's (raw_cpu_us_per_call, ..._per_event),
peer the peer's (peer_cpu_us_per_call, ..._per_event).
Each case writes RESULTS/DATE-CASE.json; then RESULTS/DATE-summary.md, RESULTS/DATE-plot.png and a printed table.
Smoke mode runs every case for about a second (the backlog with 5,000 events) on the debug build and checks only
that each case wrote its JSON. BENCH_CASES (comma- or space-separated, default all) runs only the named cases (flood
and peer then measure the accept-100 and accept-N maximum they compare against, if their accept case did not run).
Intermediate files (h2load reports and logs, the request bodies) go to .run/bench-MODE-work, the processes' logs to
.run/bench-MODE-logs, their pid files to .run/bench-MODE-pids, the stack to .run/bench-MODE-stack.

Environment (full / smoke default): BENCH_CASES (all), BENCH_SECONDS (10 / 1) per accept, raw and peer
measurement, BENCH_E2E_SECONDS (60 / 1), BENCH_E2E_RATE_100 (offered events/s of e2e-100: 5000 / 1000),
BENCH_E2E_RATE_1 (offered events/s = calls/s of e2e-1: 1000 / 100), BENCH_BACKLOG_EVENTS (500000 / 5000),
BENCH_BACKLOG_TIMEOUT (seconds the drain may take: 300 / 30), BENCH_TLS_ROUNDS (3 / 1), BENCH_FLOOD_SECONDS
(15 / 2), BENCH_LEVELS (open-loop fractions of the maximum,
"0.25 0.5 0.75" / "0.5"), BENCH_CLIENTS (10 connections), BENCH_STREAMS (10 per connection), BENCH_GROUP (32:
the raw publisher's batches per confirm wait and the peer's workers), BENCH_GATEWAY_POOL (unset: the gateway's
own EVENT_WORKER_POOL_SIZE default), BENCH_ROUND_INTERVAL (unset: the gateway's PUBLISH_ROUND_INTERVAL default;
0 for the accept-N ceilings), BENCH_RESULTS (bench/results / .run/bench-smoke-results),
BENCH_BUILD (release / debug), BENCH_VENV (.venv-bench: the virtualenv scripts/bench-venv.sh prepares). Ports
(full / smoke): BENCH_RABBIT_PORT (5692 / 5702) with _MANAGEMENT_ (+10000) and _DIST_ (+20000), BENCH_EPMD_PORT
(4389 / 4399), BENCH_CLICKHOUSE_PORT (8143 / 8153), BENCH_CLICKHOUSE_TCP_PORT (+900: 9043 / 9053), BENCH_GRPC_PORT
(8217 / 8227; admin +2, workers +3 and +4, the peer +5, the TLS gateway +6 and its admin +7). Relative paths are
relative to the repository.

Runs with the system python3 and the standard library alone (bench/tools.py for the arithmetic and the JSON); the
bench virtualenv's python runs the flood probe, the peer and the report (grpcio, pika, matplotlib). Every failure
(a command's non-zero exit, a case without its JSON, a service that does not start or stops with a non-zero code)
ends the run with a non-zero status; on success, failure, Ctrl-C or SIGTERM (status 130) the services it started
and the stack are stopped before it prints "bench (MODE): finished in N s with status S".
"""
import json
import math
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tools  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUEUES = ("analytics.events", "logs.trace", "logs.post")
WORKERS = {"worker-analytics": "analytics", "worker-logs": "logs"}
QUEUE_WORKERS = {"analytics.events": "worker-analytics", "logs.trace": "worker-logs", "logs.post": "worker-logs"}
# The share of the events sent by e2e-N and backlog that lands in each queue's table (the default topology:
# analytics.events binds "#", logs.trace and logs.post one type each), and so the rows one accepted event makes.
QUEUE_SHARES = {"analytics.events": 1.0, "logs.trace": 0.25, "logs.post": 0.25}
ROWS_PER_EVENT = sum(QUEUE_SHARES.values())
# e2e-N: the request bodies sent, each with its part of the offered calls (one h2load per body, the calls per
# second of each a multiple of its part, so that the mix stays exact), and the rows one call of each body makes in
# each queue's table.
E2E_LOADS = {100: (("mixed-100", 1),), 1: (("app-1", 2), ("trace-1", 1), ("post-1", 1))}
BODY_ROWS = {"mixed-100": {"analytics.events": 100, "logs.trace": 25, "logs.post": 25},
             "app-1": {"analytics.events": 1}, "trace-1": {"analytics.events": 1, "logs.trace": 1},
             "post-1": {"analytics.events": 1, "logs.post": 1}}
EVENT_COUNTS = (1, 10, 100)
CASES = ("accept-1", "accept-10", "accept-100", "accept-100-tls", "raw-1", "raw-10", "raw-100", "e2e-100", "e2e-1",
         "backlog", "flood", "peer")
MODES = {
    "full": {"rabbit": 5692, "epmd": 4389, "clickhouse": 8143, "grpc": 8217, "seconds": "10", "e2e": "60",
             "e2e_rate_100": "5000", "e2e_rate_1": "1000", "backlog": "500000", "backlog_timeout": "300",
             "flood": "15", "tls_rounds": "3", "levels": "0.25 0.5 0.75", "build": "release",
             "results": "bench/results", "drain": 60},
    "smoke": {"rabbit": 5702, "epmd": 4399, "clickhouse": 8153, "grpc": 8227, "seconds": "1", "e2e": "1",
              "e2e_rate_100": "1000", "e2e_rate_1": "100", "backlog": "5000", "backlog_timeout": "30",
              "flood": "2", "tls_rounds": "1", "levels": "0.5", "build": "debug",
              "results": ".run/bench-smoke-results", "drain": 5},
}


class Failed(Exception):
    """A step that ends the run; status is the run's exit status (a failed command's own status when there is one)."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


class Interrupted(BaseException):
    """SIGINT or SIGTERM: the run stops with status 130 (after cleaning up)."""


def number(text):
    """An environment value used in arithmetic, read the way the bash version's inline Python read it."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def calc(value):
    return round(value, 3)


def ratio(part, whole):
    """PART / WHOLE rounded, or None when WHOLE is zero (nothing to divide by)."""
    return calc(part / whole) if whole else None


def micros_per(cpu_seconds, count):
    """CPU microseconds per unit (call, event, row), or None when nothing was counted."""
    return round(cpu_seconds * 1e6 / count, 2) if count else None


def children_cpu_seconds():
    """utime + stime of the children this process waited for so far (a command run to its end is counted once)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def clickhouse_window(before, after, seconds):
    """ClickHouse's own count of rows and insert queries between two snapshots (all tables together)."""
    rows = after["clickhouse"]["InsertedRows"] - before["clickhouse"]["InsertedRows"]
    inserts = after["clickhouse"]["InsertQuery"] - before["clickhouse"]["InsertQuery"]
    return {"inserted_rows": rows, "insert_queries": inserts, "rows_per_second": calc(rows / seconds),
            "inserts_per_second": calc(inserts / seconds), "rows_per_insert": ratio(rows, inserts)}


def mix_shares(reports, case, events):
    """{"QUEUE": share of the events sent that lands in its table} from the calls the h2loads of e2e-EVENTS
    reported done (the mix actually sent: the h2loads of e2e-1 do not stop on exactly the same call)."""
    sent = {name: reports[f"{case}-{name}"].get("succeeded", 0) for name, _ in E2E_LOADS[events]}
    sent_events = max(1, sum(sent.values()) * events)
    return {queue: sum(count * BODY_ROWS[name].get(queue, 0) for name, count in sent.items()) / sent_events
            for queue in QUEUES}


def depth_stats(samples, until):
    """The queue depths sampled up to UNTIL seconds: tools.depth_summary of the total (largest, last, second-half
    growth), the least-squares slope over the whole window, and per queue the largest, last and slope."""
    window = [sample for sample in samples if sample["t"] <= until + 0.5]
    if not window:
        return {"samples": [], "max_depth": None, "final_depth": None, "slope_messages_per_second": None,
                "second_half_growth_messages_per_second": None, "per_queue": {}}
    points = [[sample["t"], sample["depth"]] for sample in window]
    summary = tools.depth_summary(points)
    summary["slope_messages_per_second"] = round(tools.slope(points), 2)
    summary["per_queue"] = {}
    for queue in QUEUES:
        series = [[sample["t"], sample["depths"].get(queue, 0)] for sample in window]
        summary["per_queue"][queue] = {"max_depth": max(depth for _, depth in series), "final_depth": series[-1][1],
                                       "slope_messages_per_second": round(tools.slope(series), 2)}
    return summary


def queue_tables():
    """{"QUEUE": "database.table"} from config/topology.json (the workers' built-in default); the queue's own name
    when the file is missing or does not name it."""
    tables = {queue: queue for queue in QUEUES}
    try:
        with open(os.path.join(ROOT, "config", "topology.json")) as source:
            topology = json.load(source)
        for family in topology.get("families", []):
            for queue in family.get("queues", []):
                if queue.get("name") in tables and queue.get("table"):
                    tables[queue["name"]] = f"{family.get('database', family.get('name'))}.{queue['table']}"
    except (OSError, ValueError):
        pass
    return tables


STARTED = time.monotonic()


def say(text):
    print(f"\n== {text} [at {time.monotonic() - STARTED:.0f} s]", flush=True)


def command(args, what=None, **options):
    """Runs a command to its end; a non-zero exit (or a missing program) raises Failed with that status."""
    sys.stdout.flush()
    try:
        completed = subprocess.run(args, **options)
    except FileNotFoundError:
        raise Failed(f"{what or args[0]}: {args[0]} not found", 127)
    except PermissionError:
        raise Failed(f"{what or args[0]}: {args[0]} is not executable", 126)
    if completed.returncode != 0:
        raise Failed(f"{what or ' '.join(map(str, args))} exited with status {exit_status(completed.returncode)}",
                     exit_status(completed.returncode))
    return completed


def exit_status(returncode):
    """A Popen returncode as the shell reports it (128 + N after signal N)."""
    return 128 - returncode if returncode < 0 else returncode


class Services:
    """scripts/services.sh in Python: each process gets PIDS_DIR/NAME.pid and appends its output to LOGS_DIR/NAME.log;
    stop sends SIGTERM, waits (SIGKILL after a limit) and returns the exit code. The processes get a session of their
    own, so a Ctrl-C in the terminal reaches only this program, which then stops them with SIGTERM."""

    def __init__(self, pids_dir, logs_dir):
        self.pids_dir, self.logs_dir = pids_dir, logs_dir
        self.processes = {}

    def log(self, name):
        return os.path.join(self.logs_dir, f"{name}.log")

    def start(self, name, args, env=None):
        os.makedirs(self.pids_dir, exist_ok=True)
        os.makedirs(self.logs_dir, exist_ok=True)
        with open(self.log(name), "ab") as log:
            try:
                process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           env={**os.environ, **(env or {})}, start_new_session=True)
            except OSError as error:
                raise Failed(f"{name}: cannot start {args[0]}: {error.strerror}", 127)
        self.processes[name] = process
        with open(os.path.join(self.pids_dir, f"{name}.pid"), "w") as pid_file:
            pid_file.write(f"{process.pid}\n")
        return process

    def pid(self, name):
        return self.processes[name].pid

    def wait_for_port(self, port, name, limit=30):
        """Waits until something accepts TCP connections on 127.0.0.1:PORT; fails (with the log's tail) after LIMIT
        seconds or as soon as the process exited."""
        deadline = time.monotonic() + limit
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                pass
            process = self.processes.get(name)
            exited = process is not None and process.poll() is not None
            if exited or time.monotonic() >= deadline:
                reason = (f"exited with status {exit_status(process.returncode)} before opening port {port}" if exited
                          else f"did not open port {port} within {limit}s")
                print(f"{name} {reason}; its log:", file=sys.stderr)
                try:
                    with open(self.log(name), errors="replace") as log:
                        sys.stderr.write("".join(log.readlines()[-30:]))
                except OSError:
                    pass
                raise Failed(f"{name} {reason}")
            time.sleep(0.1)

    def stop(self, name, limit=35):
        """SIGTERM, wait for the exit (SIGKILL after LIMIT seconds): the exit code (137 after the SIGKILL)."""
        process = self.processes.pop(name, None)
        if process is None:
            return 0
        try:
            os.remove(os.path.join(self.pids_dir, f"{name}.pid"))
        except FileNotFoundError:
            pass
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                print(f"{name} did not exit within {limit}s after SIGTERM; killing it", file=sys.stderr)
                process.kill()
                process.wait()
        return exit_status(process.returncode)

    def stop_checked(self, name):
        code = self.stop(name)
        if code != 0:
            raise Failed(f"{name} exited with {code} after SIGTERM (its log: {self.log(name)})", code)

    def stop_all(self):
        status = 0
        for name in list(self.processes):
            status = self.stop(name) or status
        return status


class Bench:
    def __init__(self, environ):
        self.mode = environ.get("BENCH_MODE", "full")
        if self.mode not in MODES:
            raise Failed("BENCH_MODE must be full or smoke", 2)
        default = MODES[self.mode]
        self.seconds = environ.get("BENCH_SECONDS", default["seconds"])
        self.e2e_seconds = environ.get("BENCH_E2E_SECONDS", default["e2e"])
        self.e2e_rates = {100: number(environ.get("BENCH_E2E_RATE_100", default["e2e_rate_100"])),
                          1: number(environ.get("BENCH_E2E_RATE_1", default["e2e_rate_1"]))}
        self.backlog_events = int(environ.get("BENCH_BACKLOG_EVENTS", default["backlog"]))
        self.backlog_timeout = number(environ.get("BENCH_BACKLOG_TIMEOUT", default["backlog_timeout"]))
        selected = environ.get("BENCH_CASES", "").replace(",", " ").split()
        unknown = [case for case in selected if case not in CASES]
        if unknown:
            raise Failed(f"BENCH_CASES: unknown case(s) {', '.join(unknown)}; the cases are {', '.join(CASES)}", 2)
        self.cases = [case for case in CASES if case in selected] if selected else list(CASES)
        self.flood_seconds = environ.get("BENCH_FLOOD_SECONDS", default["flood"])
        self.tls_rounds = int(environ.get("BENCH_TLS_ROUNDS", default["tls_rounds"]))
        self.levels = environ.get("BENCH_LEVELS", default["levels"]).split()
        self.clients = int(environ.get("BENCH_CLIENTS", "10"))
        self.streams = environ.get("BENCH_STREAMS", "10")
        self.group = environ.get("BENCH_GROUP", "32")
        self.build = environ.get("BENCH_BUILD", default["build"])
        self.results = environ.get("BENCH_RESULTS", default["results"])
        self.drain = default["drain"]
        self.rabbit_port = int(environ.get("BENCH_RABBIT_PORT", default["rabbit"]))
        self.ports = {  # exported: scripts/stack.sh, the gateway, the workers and the peer read them
            "RABBIT_PORT": self.rabbit_port,
            "RABBIT_MANAGEMENT_PORT": int(environ.get("BENCH_RABBIT_MANAGEMENT_PORT", self.rabbit_port + 10000)),
            "RABBIT_DIST_PORT": int(environ.get("BENCH_RABBIT_DIST_PORT", self.rabbit_port + 20000)),
            "EPMD_PORT": int(environ.get("BENCH_EPMD_PORT", default["epmd"])),
            "CLICKHOUSE_PORT": int(environ.get("BENCH_CLICKHOUSE_PORT", default["clickhouse"])),
        }
        self.ports["CLICKHOUSE_TCP_PORT"] = int(environ.get("BENCH_CLICKHOUSE_TCP_PORT",
                                                           self.ports["CLICKHOUSE_PORT"] + 900))
        self.grpc_port = int(environ.get("BENCH_GRPC_PORT", default["grpc"]))
        self.admin_port = self.grpc_port + 2
        self.worker_ports = {"worker-analytics": self.grpc_port + 3, "worker-logs": self.grpc_port + 4}
        self.peer_port = self.grpc_port + 5
        # Each gateway the bench runs: (gRPC port, admin port, URL scheme).
        self.gateways = {"gateway": (self.grpc_port, self.admin_port, "http"),
                         "gateway-tls": (self.grpc_port + 6, self.grpc_port + 7, "https")}
        run = os.path.join(ROOT, ".run")
        self.stack_dir = os.path.join(run, f"bench-{self.mode}-stack")
        self.work = os.path.join(run, f"bench-{self.mode}-work")
        self.logs_dir = os.path.join(run, f"bench-{self.mode}-logs")
        self.services = Services(os.path.join(run, f"bench-{self.mode}-pids"), self.logs_dir)
        self.venv = environ.get("BENCH_VENV", os.path.join(ROOT, ".venv-bench"))
        self.python = os.path.join(self.venv, "bin", "python")
        self.management = f"http://127.0.0.1:{self.ports['RABBIT_MANAGEMENT_PORT']}"
        self.clickhouse = f"http://127.0.0.1:{self.ports['CLICKHOUSE_PORT']}"
        self.tables = queue_tables()
        self.date = time.strftime("%Y-%m-%d", time.gmtime())
        self.bin = None
        self.stack_started = False
        self.helpers = []  # background processes besides the services (the flood probe)
        self.max_calls = {}

    # --- helpers ------------------------------------------------------------------------------------------------

    def path(self, name):
        return os.path.join(self.work, name)

    def result(self, case):
        return os.path.join(self.results, f"{self.date}-{case}.json")

    def purge(self):
        tools.purge(self.management, *QUEUES)

    def depths(self):
        return tools.depths(self.management, *QUEUES)

    def gateway_metric(self, name, labels="", gateway="gateway"):
        return tools.metric(f"http://127.0.0.1:{self.gateways[gateway][1]}/metrics", name, labels)

    def worker_url(self, worker):
        return f"http://127.0.0.1:{self.worker_ports[worker]}/metrics"

    def rows_written(self, worker):
        return tools.metric(self.worker_url(worker), "eventgrpc_worker_rows_written_total")

    def cpu(self, name):
        """The service's user + system CPU seconds so far (/proc/PID/stat)."""
        return tools.cpu_seconds(self.services.pid(name))

    def running(self, *names):
        return [name for name in names if name in self.services.processes]

    def rss(self, *names):
        """{"NAME": peak RSS in KiB, ...}"""
        return {name: tools.peak_rss_kib(self.services.pid(name)) for name in names}

    def reset_peaks(self, *names):
        for name in names:
            tools.reset_peak_rss(self.services.pid(name))

    def h2load_args(self, prefix, port, request, options, scheme="http"):
        # Over https h2load offers ALPN h2 (its --alpn-list default starts with h2) and verifies no certificate.
        return ["h2load", *map(str, options), "-d", request, "-H", "content-type: application/grpc",
                "-H", "te: trailers", f"--log-file={prefix}.log",
                f"{scheme}://127.0.0.1:{port}/event.EventService/dispatch"]

    def load(self, prefix, port, request, *options, scheme="http"):
        """h2load against dispatch: PREFIX.out (its report), PREFIX.log (per request); returns the report's numbers
        and the latencies of the succeeded calls."""
        prefix = self.path(prefix)
        with open(f"{prefix}.out", "w") as out:
            command(self.h2load_args(prefix, port, request, options, scheme), f"h2load (report {prefix}.out)",
                    stdout=out, stderr=subprocess.STDOUT)
        return tools.h2load(f"{prefix}.out"), tools.latency(f"{prefix}.log")

    def load_parallel(self, loads):
        """Several h2loads against the gateway at once, LOADS = [(prefix, request, [option, ...]), ...]: returns
        {"PREFIX": report} and the latencies of the succeeded calls of all of them together."""
        started = []
        try:
            for prefix, request, options in loads:
                prefix = self.path(prefix)
                with open(f"{prefix}.out", "w") as out:
                    try:
                        process = subprocess.Popen(self.h2load_args(prefix, self.grpc_port, request, options),
                                                   stdout=out, stderr=subprocess.STDOUT)
                    except FileNotFoundError:
                        raise Failed("h2load not found", 127)
                self.helpers.append(process)
                started.append((prefix, process))
        finally:
            failed = None
            for prefix, process in started:
                process.wait()
                self.helpers.remove(process)
                if process.returncode != 0 and failed is None:
                    failed = Failed(f"h2load (report {prefix}.out) exited with status "
                                    f"{exit_status(process.returncode)}", exit_status(process.returncode))
        if failed:
            raise failed
        merged = self.path(f"{os.path.basename(started[0][0])}-all.log")
        with open(merged, "w") as target:
            for prefix, _ in started:
                with open(f"{prefix}.log") as source:
                    shutil.copyfileobj(source, target)
        reports = {os.path.basename(prefix): tools.h2load(f"{prefix}.out") for prefix, _ in started}
        return reports, tools.latency(merged)

    def gateway_load(self, prefix, request, *options, gateway="gateway"):
        """load() against GATEWAY (a name of self.gateways), with what it counted over it: accepted calls and events
        (SUCCESS), its CPU seconds (utime + stime) and the CPU per accepted call and event."""
        port, _, scheme = self.gateways[gateway]
        cpu = self.cpu(gateway)
        calls = self.gateway_metric("eventgrpc_gateway_batches_accepted_total", gateway=gateway)
        events = self.gateway_metric("eventgrpc_gateway_events_accepted_total", gateway=gateway)
        h2, latency = self.load(prefix, port, request, *options, scheme=scheme)
        self.gateway_settled(gateway=gateway)
        cpu = self.cpu(gateway) - cpu
        calls = self.gateway_metric("eventgrpc_gateway_batches_accepted_total", gateway=gateway) - calls
        events = self.gateway_metric("eventgrpc_gateway_events_accepted_total", gateway=gateway) - events
        return h2, latency, {"accepted_batches": calls, "accepted_events": events, "gateway_cpu_seconds": round(cpu, 3),
                             "gateway_cpu_us_per_call": micros_per(cpu, calls),
                             "gateway_cpu_us_per_event": micros_per(cpu, events)}

    def gateway_settled(self, limit=5, gateway="gateway"):
        """Waits until the gateway's accepted calls stop changing (read every 0.1 s, at most LIMIT seconds): the calls
        h2load left in flight when its duration ended still finish, and count, after it exits."""
        deadline = time.monotonic() + limit
        last = self.gateway_metric("eventgrpc_gateway_batches_accepted_total", gateway=gateway)
        while time.monotonic() < deadline:
            time.sleep(0.1)
            current = self.gateway_metric("eventgrpc_gateway_batches_accepted_total", gateway=gateway)
            if current == last:
                return
            last = current

    def max_rate(self, events):
        """The gateway's closed-loop calls/s for batches of EVENTS (accept-EVENTS's, or measured now when that case
        was not selected)."""
        if events not in self.max_calls:
            h2, _ = self.load(f"max-{events}", self.grpc_port, self.path(f"app-{events}.req"), "-D", self.seconds,
                              "-c", self.clients, "-m", self.streams)
            self.max_calls[events] = h2["calls_per_second"]
        return self.max_calls[events]

    def wait_empty(self, limit):
        """Seconds until the three queues were empty (sampled every 0.5 s), or None after LIMIT seconds."""
        started = time.monotonic()
        while self.depths() > 0:
            if time.monotonic() - started >= limit:
                return None
            time.sleep(0.5)
        return round(time.monotonic() - started, 1)

    def wait_landed(self, since, rows, limit):
        """Seconds until ClickHouse counted ROWS inserted rows more than the snapshot SINCE (InsertedRows, polled
        every 0.25 s); None after LIMIT seconds, or as soon as (after 3 s) the rows landing since the wait began
        show that the rest cannot land within LIMIT (a backlog the workers do not drain: waiting would only add
        parts to ClickHouse)."""
        started = time.monotonic()
        at_start = None
        while True:
            landed = tools.clickhouse_events(self.clickhouse)["InsertedRows"] - since["clickhouse"]["InsertedRows"]
            at_start = landed if at_start is None else at_start
            elapsed = time.monotonic() - started
            if landed >= rows:
                return round(elapsed, 2)
            if elapsed >= limit or (elapsed >= 3 and rows - landed > (landed - at_start) / elapsed * (limit - elapsed)):
                return None
            time.sleep(0.25)

    def exact_depths(self):
        """The queue depths asked of the queues themselves (rabbitmqctl list_queues): the management API's
        statistics can lag several seconds behind a queue busy taking a backlog. The management API's reading when
        rabbitmqctl fails."""
        try:
            listed = subprocess.run(["scripts/stack.sh", "rabbitmqctl", self.stack_dir, "list_queues", "--quiet",
                                     "--no-table-headers", "name", "messages"], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True, timeout=30)
        except subprocess.TimeoutExpired:
            return tools.queue_depths(self.management, *QUEUES)
        depths = {}
        for line in listed.stdout.splitlines():
            name, _, messages = line.partition("\t")
            if name in QUEUES and messages.strip().isdigit():
                depths[name] = int(messages)
        if listed.returncode != 0 or len(depths) != len(QUEUES):
            return tools.queue_depths(self.management, *QUEUES)
        return depths

    def drain_queues(self):
        """Waits (at most 60 s; 5 s when smoking) until the workers emptied the queues, then purges the rest."""
        self.wait_empty(self.drain)
        self.purge()

    def start_workers(self):
        """Starts the workers that do not run, waits for their admin ports and for the three queues to exist."""
        started = [worker for worker in WORKERS if worker not in self.services.processes]
        for worker in started:
            self.services.start(worker, [os.path.join(self.bin, "SinkWorker"), "--family", WORKERS[worker]], {
                "ADMIN_PORT": str(self.worker_ports[worker]), "LOG_LEVEL": "warning"})
        for worker in started:
            self.services.wait_for_port(self.worker_ports[worker], worker)
        deadline = time.monotonic() + 30
        while not all(tools.queue_exists(self.management, queue) for queue in QUEUES):
            if time.monotonic() >= deadline:
                raise Failed(f"the workers did not declare {', '.join(QUEUES)} within 30 s")
            time.sleep(0.2)

    def stop_workers(self):
        for worker in self.running(*WORKERS):
            self.services.stop_checked(worker)

    def snapshot(self):
        """The cumulative counters a measurement window is the difference of: ClickHouse's InsertedRows and
        InsertQuery, the gateway's accepted calls and events and confirmed messages, the CPU seconds of the gateway
        and the running workers, and per queue the workers' inserts and rows (eventgrpc_worker_batch_rows)."""
        snapshot = {"time": time.monotonic(), "clickhouse": tools.clickhouse_events(self.clickhouse),
                    "accepted_calls": self.gateway_metric("eventgrpc_gateway_batches_accepted_total"),
                    "accepted_events": self.gateway_metric("eventgrpc_gateway_events_accepted_total"),
                    "messages": self.gateway_metric("eventgrpc_gateway_messages_confirmed_total"),
                    "cpu": {name: self.cpu(name) for name in self.running("gateway", *WORKERS)},
                    "inserts": {}, "rows": {}}
        for worker in self.running(*WORKERS):
            url = self.worker_url(worker)
            snapshot["inserts"].update(tools.by_label(url, "eventgrpc_worker_batch_rows_count", "queue"))
            snapshot["rows"].update(tools.by_label(url, "eventgrpc_worker_batch_rows_sum", "queue"))
        return snapshot

    def sample(self, base, samples, stop):
        """Once a second from BASE's time until STOP is set: InsertedRows, InsertQuery and the gateway's accepted
        events since BASE, and the queue depths (a failed sample leaves its second out)."""
        tick = 0
        while not stop.is_set():
            try:
                clickhouse = tools.clickhouse_events(self.clickhouse)
                depths = tools.queue_depths(self.management, *QUEUES)
                accepted = self.gateway_metric("eventgrpc_gateway_events_accepted_total")
                samples.append({
                    "t": round(time.monotonic() - base["time"], 2),
                    "inserted_rows": clickhouse["InsertedRows"] - base["clickhouse"]["InsertedRows"],
                    "insert_queries": clickhouse["InsertQuery"] - base["clickhouse"]["InsertQuery"],
                    "accepted_events": accepted - base["accepted_events"], "depths": depths,
                    "depth": sum(depths.values())})
            except Exception:  # noqa: BLE001 - a missing sample is tolerated
                pass
            tick += 1
            stop.wait(max(0.0, base["time"] + tick - time.monotonic()))

    def table_stats(self, before, after, seconds, accepted_events, shares=None):
        """Per queue (one table each) between two snapshots: rows, inserts, rows per insert, inserts/s, rows/s and
        rows over the accepted events' share for the table (SHARES, QUEUE_SHARES by default)."""
        shares = shares or QUEUE_SHARES
        tables = []
        for queue in QUEUES:
            inserts = after["inserts"].get(queue, 0) - before["inserts"].get(queue, 0)
            rows = after["rows"].get(queue, 0) - before["rows"].get(queue, 0)
            tables.append({"queue": queue, "table": self.tables[queue], "worker": QUEUE_WORKERS[queue],
                           "rows": rows, "inserts": inserts, "rows_per_insert": ratio(rows, inserts),
                           "inserts_per_second": calc(inserts / seconds), "rows_per_second": calc(rows / seconds),
                           "landed_over_accepted": ratio(rows, accepted_events * shares[queue])})
        return tables

    def worker_cpu(self, before, after, tables):
        """{"WORKER": {cpu_seconds, rows, cpu_us_per_row}} between two snapshots (a worker absent from BEFORE was
        started in between: its whole life counts); adds worker_cpu_us_per_row to TABLES."""
        workers = {}
        for worker in WORKERS:
            if worker not in after["cpu"]:
                continue
            cpu = after["cpu"][worker] - before["cpu"].get(worker, 0.0)
            rows = sum(table["rows"] for table in tables if table["worker"] == worker)
            workers[worker] = {"cpu_seconds": round(cpu, 3), "rows": rows, "cpu_us_per_row": micros_per(cpu, rows)}
        for table in tables:
            table["worker_cpu_us_per_row"] = workers.get(table["worker"], {}).get("cpu_us_per_row")
        return workers

    # --- the run ------------------------------------------------------------------------------------------------

    def run(self):
        os.environ.update({name: str(port) for name, port in self.ports.items()})
        self.prepare()
        self.start_stack_and_gateway()
        for events in EVENT_COUNTS:
            self.accept_and_raw(events)
        if "accept-100-tls" in self.cases:
            self.accept_tls(100)
        self.purge()
        for events in (100, 1):
            if f"e2e-{events}" in self.cases:
                self.e2e(events)
        if "backlog" in self.cases:
            self.backlog()
        if "flood" in self.cases:
            self.flood()
        self.stop_workers()
        self.purge()
        if "peer" in self.cases:
            self.peer()
        self.report()

    def prepare(self):
        say(f"dependencies, {self.build} build, bench virtualenv; cases: {' '.join(self.cases)}")
        command(["scripts/install-deps.sh"], stdout=subprocess.DEVNULL)
        command(["swift", "build", "-c", "release"] if self.build == "release" else ["swift", "build"])
        self.bin = command(["swift", "build", "-c", self.build, "--show-bin-path"], stdout=subprocess.PIPE,
                           text=True).stdout.strip()
        command(["scripts/bench-venv.sh"])
        for directory in (self.work, self.logs_dir):
            shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(self.work)
        os.makedirs(self.results, exist_ok=True)
        # Today's earlier results go (all of them, or only the selected cases' when BENCH_CASES picks some).
        every = len(self.cases) == len(CASES)
        for name in os.listdir(self.results):
            if name.startswith(f"{self.date}-") and name.endswith(".json") and (
                    every or name[len(self.date) + 1:-len(".json")] in self.cases):
                os.remove(os.path.join(self.results, name))

    def start_stack_and_gateway(self):
        say(f"stack on bench ports (RabbitMQ {self.rabbit_port}, ClickHouse HTTP {self.ports['CLICKHOUSE_PORT']})")
        self.stack_started = True
        command(["scripts/stack.sh", "start", self.stack_dir])
        # The gateway runs with its own defaults (one publish round in flight, PUBLISH_ROUND_INTERVAL 350 ms) unless
        # BENCH_GATEWAY_POOL or BENCH_ROUND_INTERVAL say otherwise. The closed-loop accept-N cases measure what the
        # gateway can take; under the default interval they measure the interval instead (h2load keeps 100 calls
        # in flight and waits for each), so BENCH_ROUND_INTERVAL=0 is the way to read the gateway's own ceiling.
        gateway_env = {"PORT": str(self.grpc_port), "ADMIN_PORT": str(self.admin_port), "LOG_LEVEL": "warning"}
        if os.environ.get("BENCH_GATEWAY_POOL"):
            gateway_env["EVENT_WORKER_POOL_SIZE"] = os.environ["BENCH_GATEWAY_POOL"]
        if os.environ.get("BENCH_ROUND_INTERVAL"):
            gateway_env["PUBLISH_ROUND_INTERVAL"] = os.environ["BENCH_ROUND_INTERVAL"]
        self.services.start("gateway", [os.path.join(self.bin, "IngestGateway")], gateway_env)
        self.services.wait_for_port(self.grpc_port, "gateway")
        for events in EVENT_COUNTS:
            tools.request(events, "app", self.path(f"app-{events}"))
        tools.request(1, "trace", self.path("trace-1"))
        tools.request(1, "post", self.path("post-1"))
        tools.request(100, "mixed", self.path("mixed-100"))

    def accept_and_raw(self, events):
        accept, raw = f"accept-{events}" in self.cases, f"raw-{events}" in self.cases
        if not (accept or raw):
            return
        say(f"{' and '.join(name for name, on in ((f'accept-{events}', accept), (f'raw-{events}', raw)) if on)}: "
            f"batches of {events} events")
        request = self.path(f"app-{events}.req")
        rows = []
        if accept:
            self.purge()
            if self.mode == "full":
                self.load("warm", self.grpc_port, request, "-D", 2, "-c", self.clients, "-m", self.streams)
            self.reset_peaks("gateway")
            h2, latency, gateway = self.gateway_load(f"max-{events}", request, "-D", self.seconds, "-c", self.clients,
                                                     "-m", self.streams)
            calls = h2["calls_per_second"]
            self.max_calls[events] = calls
            rows.append({"mode": "max", "events_per_call": events, "calls_per_second": calls,
                         "events_per_second": calc(calls * events), "messages_per_second": calls,
                         "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"], "rss_kib": self.rss("gateway"),
                         **gateway, "h2load": h2, "note": f"closed loop, -c {self.clients} -m {self.streams}"})

        gateway_over_raw = None
        if raw:
            self.purge()
            raw_path = self.path(f"raw-{events}.json")
            cpu = children_cpu_seconds()
            with open(raw_path, "w") as out:
                command([os.path.join(self.bin, "BenchRawPublisher"), "--request", self.path(f"app-{events}.pb"),
                         "--seconds", self.seconds, "--group", self.group], "BenchRawPublisher", stdout=out)
            cpu = children_cpu_seconds() - cpu
            with open(raw_path) as source:
                raw = json.load(source)
            raw_rate = raw["messages_per_second"]
            gateway_over_raw = ratio(self.max_calls[events], raw_rate) if accept else None
            raw_cpu = {"raw_cpu_seconds": round(cpu, 3), "raw_cpu_us_per_call": micros_per(cpu, raw["batches"]),
                       "raw_cpu_us_per_event": micros_per(cpu, raw["events"])}
            raw_row = {"mode": "max", "events_per_call": events, "calls_per_second": raw["batches_per_second"],
                       "events_per_second": raw["events_per_second"], "messages_per_second": raw_rate,
                       "p50_ms": raw["group_p50_ms"], "p99_ms": raw["group_p99_ms"], **raw_cpu,
                       "note": f"rabbitmq-c, {self.group} batches per confirm wait; latency of one group"}
            tools.write_json(self.result(f"raw-{events}"), {
                "case": f"raw-{events}", "rows": [raw_row], "raw": raw, **raw_cpu,
                "summary": f"gateway/raw messages/s = {gateway_over_raw}" if accept else
                f"raw alone (accept-{events} not run); {raw_cpu['raw_cpu_us_per_call']} CPU us per batch"})
        if not accept:
            return

        for level in self.levels:
            self.purge()
            rate = calc(calls * float(level))
            per_client = max(1, round(rate / self.clients))
            self.reset_peaks("gateway")
            h2, latency, gateway = self.gateway_load(f"open-{events}-{level}", request, "-D", self.seconds,
                                                     "-c", self.clients, "-m", 100, "--rps", per_client)
            achieved = h2["calls_per_second"]
            rows.append({"mode": "open-loop", "events_per_call": events,
                         "offered_calls_per_second": per_client * self.clients, "calls_per_second": achieved,
                         "events_per_second": calc(achieved * events), "messages_per_second": achieved,
                         "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"], "rss_kib": self.rss("gateway"),
                         **gateway, "note": f"{level} of max, h2load --rps {per_client} x {self.clients}"})
        top = rows[0]
        tools.write_json(self.result(f"accept-{events}"), {
            "case": f"accept-{events}", "rows": rows, "gateway_over_raw_messages": gateway_over_raw,
            "gateway_cpu_us_per_call": top["gateway_cpu_us_per_call"],
            "gateway_cpu_us_per_event": top["gateway_cpu_us_per_event"],
            "summary": f"gateway/raw messages/s = {gateway_over_raw} (same run); gateway CPU "
                       f"{top['gateway_cpu_us_per_call']} us per call, {top['gateway_cpu_us_per_event']} us per "
                       f"event (closed loop)"})

    def accept_tls(self, events):
        """accept-EVENTS-tls: the closed loop of accept-EVENTS against a gateway whose gRPC port speaks TLS,
        alternated with the plaintext gateway (ROUNDS each, the machine being shared), over the same broker."""
        case = f"accept-{events}-tls"
        say(f"{case}: batches of {events} events, TLS against plaintext in the same run")
        certs = self.path("tls-certs")
        command(["scripts/test-certs.sh", certs], stdout=subprocess.DEVNULL)
        port, admin, _ = self.gateways["gateway-tls"]
        self.services.start("gateway-tls", [os.path.join(self.bin, "IngestGateway")], {
            "PORT": str(port), "ADMIN_PORT": str(admin), "LOG_LEVEL": "warning",
            "SPOOL_DIR": self.path("spool-tls"), "TLS_CERT_FILE": os.path.join(certs, "server.pem"),
            "TLS_KEY_FILE": os.path.join(certs, "server.key")})
        self.services.wait_for_port(port, "gateway-tls")
        deadline = time.monotonic() + 30  # measured from its first call on: connected to the broker first
        while self.gateway_metric("eventgrpc_gateway_broker_connected", gateway="gateway-tls") != 1:
            if time.monotonic() >= deadline:
                raise Failed("gateway-tls did not connect to the broker within 30 s")
            time.sleep(0.1)
        request = self.path(f"app-{events}.req")
        closed = ["-D", self.seconds, "-c", self.clients, "-m", self.streams]
        rounds = self.tls_rounds
        if self.mode == "full":
            self.load("warm-tls", port, request, "-D", 2, "-c", self.clients, "-m", self.streams, scheme="https")
        rows = []
        rates = {"gateway": [], "gateway-tls": []}  # events/s of each round
        cpu = {"gateway": [0.0, 0], "gateway-tls": [0.0, 0]}  # CPU seconds, accepted events
        for turn in range(1, rounds + 1):
            for gateway in ("gateway", "gateway-tls"):
                self.purge()
                self.reset_peaks(gateway)
                h2, latency, measured = self.gateway_load(f"{case}-{gateway}-{turn}", request, *closed,
                                                          gateway=gateway)
                rates[gateway].append(h2["calls_per_second"] * events)
                cpu[gateway][0] += measured["gateway_cpu_seconds"]
                cpu[gateway][1] += measured["accepted_events"]
                rows.append({"mode": "max", "events_per_call": events, "calls_per_second": h2["calls_per_second"],
                             "events_per_second": calc(h2["calls_per_second"] * events),
                             "messages_per_second": h2["calls_per_second"], "p50_ms": latency["p50_ms"],
                             "p99_ms": latency["p99_ms"], "rss_kib": self.rss(gateway), **measured, "h2load": h2,
                             "note": f"{'TLS' if gateway == 'gateway-tls' else 'plaintext'}, round {turn}, "
                                     f"closed loop, -c {self.clients} -m {self.streams}"})
        self.services.stop_checked("gateway-tls")
        plain_rate, tls_rate = (calc(sum(rates[g]) / rounds) for g in ("gateway", "gateway-tls"))
        tls_over_plain = ratio(tls_rate, plain_rate)
        round_ratios = [ratio(tls, plain) for plain, tls in zip(rates["gateway"], rates["gateway-tls"])]
        known = sorted(r for r in round_ratios if r is not None)
        median_ratio = known[len(known) // 2] if known else None
        plain_cpu, tls_cpu = (micros_per(*cpu[g]) for g in ("gateway", "gateway-tls"))
        tools.write_json(self.result(case), {
            "case": case, "rows": rows, "plaintext_events_per_second": plain_rate, "tls_events_per_second": tls_rate,
            "tls_over_plaintext": tls_over_plain, "round_ratios": round_ratios, "median_round_ratio": median_ratio,
            "plaintext_cpu_us_per_event": plain_cpu,
            "tls_cpu_us_per_event": tls_cpu,
            "summary": f"TLS {tls_rate} events/s vs plaintext {plain_rate} events/s in {events}-event calls "
                       f"(ratio {tls_over_plain}, mean of {rounds} alternated round(s) of {self.seconds} s; ratio per "
                       f"round {round_ratios}, median {median_ratio}); gateway CPU {tls_cpu} us per event over TLS, "
                       f"{plain_cpu} in plaintext (ratio {ratio(tls_cpu or 0, plain_cpu or 0)})"})

    def e2e(self, events):
        case, rate = f"e2e-{events}", self.e2e_rates[events]
        say(f"{case}: both families, {rate:g} events/s offered in calls of {events} event(s), open loop, "
            f"{self.e2e_seconds} s")
        self.start_workers()
        self.drain_queues()
        parts = sum(part for _, part in E2E_LOADS[events])
        unit = max(1, round(rate / events / self.clients / parts))  # calls/s per connection of one part
        loads, offered_calls = [], 0
        for name, part in E2E_LOADS[events]:
            offered_calls += unit * part * self.clients
            loads.append((f"{case}-{name}", self.path(f"{name}.req"),
                          ["-D", self.e2e_seconds, "-c", self.clients, "-m", 100, "--rps", unit * part]))
        self.reset_peaks("gateway", *WORKERS)
        samples, stop = [], threading.Event()
        start = self.snapshot()
        sampler = threading.Thread(target=self.sample, args=(start, samples, stop), daemon=True)
        sampler.start()
        try:
            reports, latency = self.load_parallel(loads)
            self.gateway_settled()
            end = self.snapshot()
            rss = self.rss("gateway", *WORKERS)
            # The rows still on their way (in the queues, in the buffered sinks): landed/accepted after the drain.
            shares = mix_shares(reports, case, events)
            expected = round((end["accepted_events"] - start["accepted_events"]) * sum(shares.values()))
            drained = self.wait_landed(start, expected, self.drain)
            after = self.snapshot()
        finally:
            stop.set()
            sampler.join()
        if drained is None:
            self.purge()  # what would not land within the drain limit (60 s; 5 s smoking)
        else:
            self.drain_queues()
        seconds = end["time"] - start["time"]
        calls = end["accepted_calls"] - start["accepted_calls"]
        accepted = end["accepted_events"] - start["accepted_events"]
        messages = end["messages"] - start["messages"]
        clickhouse = clickhouse_window(start, end, seconds)
        rows_per_event = round(sum(shares.values()), 4)
        landed_after = after["clickhouse"]["InsertedRows"] - start["clickhouse"]["InsertedRows"]
        landed_ratio = ratio(clickhouse["inserted_rows"], accepted * rows_per_event)
        after_ratio = ratio(landed_after, accepted * rows_per_event)
        tables = self.table_stats(start, end, seconds, accepted, shares)
        workers = self.worker_cpu(start, end, tables)
        cpu = end["cpu"]["gateway"] - start["cpu"]["gateway"]
        gateway = {"gateway_cpu_seconds": round(cpu, 3), "gateway_cpu_us_per_call": micros_per(cpu, calls),
                   "gateway_cpu_us_per_event": micros_per(cpu, accepted)}
        depths = depth_stats(samples, seconds)
        slope = depths["slope_messages_per_second"]
        rows_left = max(0, expected - landed_after)
        drain_text = (f"all landed {drained} s after the load" if drained is not None
                      else f"{rows_left} rows left, not landing within {self.drain} s of the load's end (purged)")
        inserts_text = ", ".join(f"{t['table']} {t['inserts_per_second']}/s x {t['rows_per_insert'] or '-'} rows"
                                 for t in tables)
        row = {"mode": "open-loop", "events_per_call": events, "offered_calls_per_second": offered_calls,
               "offered_events_per_second": offered_calls * events, "calls_per_second": calc(calls / seconds),
               "events_per_second": calc(accepted / seconds), "messages_per_second": calc(messages / seconds),
               "landed_rows_per_second": clickhouse["rows_per_second"], "landed_over_accepted": landed_ratio,
               "depth_slope_messages_per_second": slope, "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"],
               "rss_kib": rss, **gateway,
               "note": f"events/s accepted (gateway), rows/s landed (InsertedRows, {rows_per_event:g} rows per "
                       f"event); {after_ratio} of accepted landed after the drain, {drain_text}; "
                       f"max depth {depths['max_depth']}; inserts: {inserts_text}"}
        tools.write_json(self.result(case), {
            "case": case, "rows": [row], "events_per_call": events, "seconds": round(seconds, 2),
            "offered_events_per_second": offered_calls * events, "offered_calls_per_second": offered_calls,
            "accepted_calls": calls, "accepted_events": accepted, "accepted_calls_per_second": row["calls_per_second"],
            "accepted_events_per_second": row["events_per_second"], "rows_per_event": rows_per_event,
            "landed_rows": clickhouse["inserted_rows"], "landed_rows_per_second": clickhouse["rows_per_second"],
            "landed_over_accepted": landed_ratio, "landed_rows_after_drain": landed_after,
            "landed_over_accepted_after_drain": after_ratio, "landed_seconds_after_load": drained,
            "rows_left_after_drain": rows_left,
            "depth_slope_messages_per_second": slope, "depths": depths, "clickhouse": clickhouse, "tables": tables,
            "workers": workers, **gateway, "h2load": reports, "samples": samples,
            "landed_rows_per_second_by_second": tools.per_second(samples, "inserted_rows"),
            "summary": f"{rate:g} events/s offered in {events}-event calls: {row['events_per_second']} accepted/s, "
                       f"{clickhouse['rows_per_second']} rows/s landed = {landed_ratio} of accepted ({after_ratio} "
                       f"after the drain; {drain_text}); depth max {depths['max_depth']}, slope {slope} msg/s; "
                       f"ClickHouse {clickhouse['inserts_per_second']} inserts/s x {clickhouse['rows_per_insert']} "
                       f"rows; gateway CPU {gateway['gateway_cpu_us_per_call']} us/call"})

    def backlog(self):
        target = self.backlog_events
        say(f"backlog: workers stopped, the gateway takes {target:,} events in mixed-100 calls, then the workers "
            f"drain them (at most {self.backlog_timeout:g} s)")
        self.start_workers()  # the queues must exist: the gateway's messages are mandatory
        self.stop_workers()
        self.purge()
        request = self.path("mixed-100.req")
        before = self.snapshot()
        accepted, attempt = 0, 0
        while accepted < target and attempt < 5:  # refused calls (RESOURCE_EXHAUSTED) are sent again
            calls = math.ceil((target - accepted) / 100)
            self.load(f"backlog-fill-{attempt}", self.grpc_port, request, "-n", calls,
                      "-c", min(self.clients, calls), "-m", self.streams)
            accepted = self.gateway_metric("eventgrpc_gateway_events_accepted_total") - before["accepted_events"]
            attempt += 1
        filled = self.snapshot()
        fill_seconds = filled["time"] - before["time"]
        fill_calls = filled["accepted_calls"] - before["accepted_calls"]
        fill_messages = filled["messages"] - before["messages"]
        cpu = filled["cpu"]["gateway"] - before["cpu"]["gateway"]
        gateway = {"gateway_cpu_seconds": round(cpu, 3), "gateway_cpu_us_per_call": micros_per(cpu, fill_calls),
                   "gateway_cpu_us_per_event": micros_per(cpu, accepted)}
        backlog_depths = self.exact_depths()
        expected = round(accepted * ROWS_PER_EVENT)

        samples, stop = [], threading.Event()
        start = self.snapshot()
        sampler = threading.Thread(target=self.sample, args=(start, samples, stop), daemon=True)
        sampler.start()
        written, first_row = 0, None
        try:
            self.start_workers()
            while True:
                try:
                    written = sum(self.rows_written(worker) for worker in WORKERS)
                except OSError:
                    pass
                elapsed = time.monotonic() - start["time"]
                if written and first_row is None:
                    first_row = round(elapsed, 2)
                if written >= expected or elapsed >= self.backlog_timeout:
                    break
                time.sleep(0.2)
            end = self.snapshot()
        finally:
            stop.set()
            sampler.join()
        complete = written >= expected
        seconds = end["time"] - start["time"]
        clickhouse = clickhouse_window(start, end, seconds)
        tables = self.table_stats(start, end, seconds, accepted)
        workers = self.worker_cpu(start, end, tables)
        worker_cpu = sum(worker["cpu_seconds"] for worker in workers.values())
        worker_rows = sum(worker["rows"] for worker in workers.values())
        events_landed = next(t["rows"] for t in tables if QUEUE_SHARES[t["queue"]] == 1.0)
        drain = {"drain_seconds": round(seconds, 2), "drain_complete": complete, "first_row_seconds": first_row,
                 "drain_rows_per_second": clickhouse["rows_per_second"],
                 "drain_events_per_second": calc(events_landed / seconds),
                 "drain_rows_per_second_after_first_row": calc(clickhouse["inserted_rows"]
                                                               / max(1e-3, seconds - (first_row or 0))),
                 "worker_cpu_us_per_row": micros_per(worker_cpu, worker_rows),
                 "worker_cpu_us_per_event": micros_per(worker_cpu, events_landed)}
        if not complete:
            self.purge()
        worker_text = ", ".join(f"{name} {worker['cpu_us_per_row']}" for name, worker in workers.items())
        row = {"mode": "drain", "events_per_call": 100, "calls_per_second": calc(fill_calls / fill_seconds),
               "events_per_second": calc(accepted / fill_seconds),
               "messages_per_second": calc(fill_messages / fill_seconds),
               "landed_rows_per_second": clickhouse["rows_per_second"],
               "landed_over_accepted": ratio(clickhouse["inserted_rows"], accepted * ROWS_PER_EVENT),
               "rss_kib": self.rss(*WORKERS), **gateway,
               "note": f"calls/s, events/s: the fill (workers stopped, {accepted:,} events, "
                       f"{sum(backlog_depths.values()):,} messages queued); landed rows/s: the drain, "
                       f"{drain['drain_events_per_second']} events/s in {drain['drain_seconds']} s"
                       f"{'' if complete else ' (timed out, purged)'}; worker CPU us/row {worker_text}"}
        tools.write_json(self.result("backlog"), {
            "case": "backlog", "rows": [row], "events_per_call": 100, "backlog_events": accepted,
            "target_events": target, "backlog_calls": fill_calls, "backlog_messages_published": fill_messages,
            "backlog_queue_depths": backlog_depths,
            "fill_seconds": round(fill_seconds, 2), "fill_events_per_second": row["events_per_second"], **gateway,
            "rows_per_event": ROWS_PER_EVENT, "expected_rows": expected, "rows_written": written, **drain,
            "landed_over_accepted": row["landed_over_accepted"],
            "clickhouse": clickhouse, "tables": tables, "workers": workers, "samples": samples,
            "landed_rows_per_second_by_second": tools.per_second(samples, "inserted_rows"),
            "summary": f"{accepted:,} events taken in {fill_seconds:.1f} s with the workers stopped, drained in "
                       f"{seconds:.1f} s{'' if complete else ' (timed out)'}: {drain['drain_events_per_second']} "
                       f"events/s, {clickhouse['rows_per_second']} rows/s landed (first row after {first_row} s); "
                       f"worker CPU {drain['worker_cpu_us_per_row']} us per row ({worker_text}); ClickHouse "
                       f"{clickhouse['inserts_per_second']} inserts/s x {clickhouse['rows_per_insert']} rows"})

    def flood(self):
        say("flood: 5x the gateway's maximum for batches of 100")
        flood_calls = max(1, round(self.max_rate(100) * 5 / 50))
        seconds = number(self.flood_seconds)
        self.start_workers()
        self.reset_peaks("gateway", *WORKERS)
        accepted_before = self.gateway_metric("eventgrpc_gateway_batches_accepted_total")
        refused_before = self.gateway_metric("eventgrpc_gateway_batches_rejected_total", "RESOURCE_EXHAUSTED")
        probe_path = self.path("probe.json")
        with open(probe_path, "w") as out:
            probe = subprocess.Popen([self.python, "bench/flood_probe.py", f"127.0.0.1:{self.grpc_port}",
                                      self.path("app-100.pb"), "20", self.flood_seconds], stdout=out)
        self.helpers.append(probe)
        h2, latency = self.load("flood", self.grpc_port, self.path("app-100.req"), "-D", self.flood_seconds,
                                "-c", 50, "-m", 100, "--rps", flood_calls)
        if probe.wait() != 0:
            raise Failed(f"bench/flood_probe.py exited with status {exit_status(probe.returncode)}",
                         exit_status(probe.returncode))
        self.helpers.remove(probe)
        accepted = self.gateway_metric("eventgrpc_gateway_batches_accepted_total") - accepted_before
        refused = self.gateway_metric("eventgrpc_gateway_batches_rejected_total", "RESOURCE_EXHAUSTED") \
            - refused_before
        refusal_rate = calc(refused / max(1, accepted + refused))
        with open(probe_path) as source:
            probe_result = json.load(source)
        refusal = probe_result.get("resource_exhausted", {"p50_ms": None, "p99_ms": None})
        refusal_p50, refusal_p99 = refusal["p50_ms"], refusal["p99_ms"]
        row = {"mode": "open-loop", "events_per_call": 100, "offered_calls_per_second": flood_calls * 50,
               "calls_per_second": calc(accepted / seconds), "events_per_second": calc(accepted * 100 / seconds),
               "messages_per_second": calc(accepted / seconds), "p50_ms": latency["p50_ms"],
               "p99_ms": latency["p99_ms"], "rss_kib": self.rss("gateway", *WORKERS),
               "note": f"refused {refusal_rate} of answered calls; refusal latency p50 {refusal_p50} ms, "
                       f"p99 {refusal_p99} ms (probe)"}
        tools.write_json(self.result("flood"), {
            "case": "flood", "rows": [row], "accepted_batches": accepted, "refused_batches": refused,
            "refusal_rate": refusal_rate, "probe": probe_result, "h2load": h2,
            "summary": f"5x offered: {refusal_rate} of calls refused (RESOURCE_EXHAUSTED), refusal p50/p99 "
                       f"{refusal_p50}/{refusal_p99} ms"})

    def peer(self):
        say(f"peer: bench/peers/python_gateway.py (grpcio, thread pool of {self.group}, pika with confirms)")
        ours = {events: self.max_rate(events) for events in EVENT_COUNTS}
        self.services.start("peer", [self.python, "bench/peers/python_gateway.py"], {
            "PORT": str(self.peer_port), "RABBIT_PORT": str(self.rabbit_port), "PEER_WORKERS": self.group})
        self.services.wait_for_port(self.peer_port, "peer")
        rows, summary = [], []
        for events in EVENT_COUNTS:
            self.purge()
            cpu = self.cpu("peer")
            h2, latency = self.load(f"peer-{events}", self.peer_port, self.path(f"app-{events}.req"),
                                    "-D", self.seconds, "-c", self.clients, "-m", self.streams)
            cpu = self.cpu("peer") - cpu
            peer_calls = h2["calls_per_second"]
            done = h2.get("succeeded", 0)
            ours_over_peer = calc(ours[events] / max(0.001, peer_calls))
            rows.append({"mode": "max", "events_per_call": events, "calls_per_second": peer_calls,
                         "events_per_second": calc(peer_calls * events), "messages_per_second": peer_calls,
                         "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"], "rss_kib": self.rss("peer"),
                         "peer_cpu_seconds": round(cpu, 3), "peer_cpu_us_per_call": micros_per(cpu, done),
                         "peer_cpu_us_per_event": micros_per(cpu, done * events),
                         "ours_over_peer": ours_over_peer, "note": f"ours/peer = {ours_over_peer}"})
            summary.append(f"{events}/call ours/peer = {ours_over_peer}")
        tools.write_json(self.result("peer"), {"case": "peer", "rows": rows, "summary": ", ".join(summary)})
        self.services.stop("peer")  # its exit code is not checked (a Python peer, not our product)

    def report(self):
        say(f"results in {self.results}")
        for case in self.cases:
            path = self.result(case)
            if not (os.path.isfile(path) and os.path.getsize(path) > 0):
                raise Failed(f"case {case} wrote no {path}")
        command([self.python, "bench/tools.py", "report", self.results, self.date], "the report")
        summary = os.path.join(self.results, f"{self.date}-summary.md")
        plot = os.path.join(self.results, f"{self.date}-plot.png")
        if not all(os.path.isfile(path) and os.path.getsize(path) > 0 for path in (summary, plot)):
            raise Failed("no summary or plot")
        self.services.stop_checked("gateway")
        print(f"bench ({self.mode}): every case wrote its JSON; table {summary}, plot {plot}", flush=True)

    def cleanup(self):
        """Stops what the run started (quietly, whatever state it is in): the flood probe, the services, the stack."""
        for helper in self.helpers:
            if helper.poll() is None:
                helper.kill()
                helper.wait()
        try:
            self.services.stop_all()
        except Exception:  # noqa: BLE001 - cleanup goes on
            traceback.print_exc()
        if self.stack_started:
            subprocess.run(["scripts/stack.sh", "stop", self.stack_dir], stdout=subprocess.DEVNULL)


def interrupted(signum, frame):
    raise Interrupted()


def main():
    os.chdir(ROOT)
    started = time.time()
    try:
        bench = Bench(os.environ)
    except (Failed, ValueError) as error:
        print(error, file=sys.stderr)
        return getattr(error, "status", 2)
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    status = 0
    try:
        bench.run()
    except Interrupted:
        status = 130
    except Failed as error:
        print(f"bench: {error}", file=sys.stderr)
        status = error.status
    except Exception:  # noqa: BLE001 - any other error fails the run, with its traceback
        traceback.print_exc()
        status = 1
    finally:
        # A second Ctrl-C must not cut the cleanup short: it is bounded (35 s per service, the stack's own timeout).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.cleanup()
        print(f"bench ({bench.mode}): finished in {int(time.time()) - int(started)} s with status {status}",
              flush=True)
    return status


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(__doc__)
        sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
    sys.exit(main())

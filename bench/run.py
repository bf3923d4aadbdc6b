"""`make bench` (BENCH_MODE=full) and `make bench-smoke` (BENCH_MODE=smoke), through scripts/bench.sh: the gateway
and the workers beside the broker's own ceiling and a Python peer, on a private stack with its own ports, in one run.
Cases:
  accept-N   gateway accept rate with confirms for batches of N = 1, 10, 100 events: as fast as possible
             (h2load, closed loop) and at fixed rates below that (h2load --rps, open loop) for latency
  raw-N      BenchRawPublisher: the same broker messages, the same confirm grouping, rabbitmq-c alone
  e2e        gateway -> RabbitMQ -> workers -> ClickHouse with both families at a fixed rate; queue depths sampled
  flood      5x the gateway's maximum: refusals (a grpcio probe sees their status and latency), RSS
  peer       bench/peers/python_gateway.py (grpcio + pika with confirms) under the same h2load load
Each case writes RESULTS/DATE-CASE.json; then RESULTS/DATE-summary.md, RESULTS/DATE-plot.png and a printed table.
Smoke mode runs every case for about a second on the debug build and checks only that each case wrote its JSON.
Intermediate files (h2load reports and logs, the request bodies) go to .run/bench-MODE-work, the processes' logs to
.run/bench-MODE-logs, their pid files to .run/bench-MODE-pids, the stack to .run/bench-MODE-stack.

Environment (full / smoke default): BENCH_SECONDS (10 / 1) per accept, raw and peer measurement,
BENCH_E2E_SECONDS (60 / 3), BENCH_FLOOD_SECONDS (15 / 2), BENCH_LEVELS (open-loop fractions of the maximum,
"0.25 0.5 0.75" / "0.5"), BENCH_CLIENTS (10 connections), BENCH_STREAMS (10 per connection), BENCH_GROUP (32:
the gateway's EVENT_WORKER_POOL_SIZE), BENCH_RESULTS (bench/results / .run/bench-smoke-results),
BENCH_BUILD (release / debug), BENCH_VENV (.venv-bench: the virtualenv scripts/bench-venv.sh prepares). Ports
(full / smoke): BENCH_RABBIT_PORT (5692 / 5702) with _MANAGEMENT_ (+10000) and _DIST_ (+20000), BENCH_EPMD_PORT
(4389 / 4399), BENCH_CLICKHOUSE_PORT (8143 / 8153), BENCH_CLICKHOUSE_TCP_PORT (+900: 9043 / 9053), BENCH_GRPC_PORT
(8217 / 8227; admin +2, workers +3 and +4, the peer +5). Relative paths are relative to the repository.

Runs with the system python3 and the standard library alone (bench/tools.py for the arithmetic and the JSON); the
bench virtualenv's python runs the flood probe, the peer and the report (grpcio, pika, matplotlib). Every failure
(a command's non-zero exit, a case without its JSON, a service that does not start or stops with a non-zero code)
ends the run with a non-zero status; on success, failure, Ctrl-C or SIGTERM (status 130) the services it started
and the stack are stopped before it prints "bench (MODE): finished in N s with status S".
"""
import json
import os
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
EVENT_COUNTS = (1, 10, 100)
CASES = ("accept-1", "accept-10", "accept-100", "raw-1", "raw-10", "raw-100", "e2e", "flood", "peer")
MODES = {
    "full": {"rabbit": 5692, "epmd": 4389, "clickhouse": 8143, "grpc": 8217, "seconds": "10", "e2e": "60",
             "flood": "15", "levels": "0.25 0.5 0.75", "build": "release", "results": "bench/results", "drain": 60},
    "smoke": {"rabbit": 5702, "epmd": 4399, "clickhouse": 8153, "grpc": 8227, "seconds": "1", "e2e": "3",
              "flood": "2", "levels": "0.5", "build": "debug", "results": ".run/bench-smoke-results", "drain": 5},
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


def say(text):
    print(f"\n== {text}", flush=True)


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
        self.flood_seconds = environ.get("BENCH_FLOOD_SECONDS", default["flood"])
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
        run = os.path.join(ROOT, ".run")
        self.stack_dir = os.path.join(run, f"bench-{self.mode}-stack")
        self.work = os.path.join(run, f"bench-{self.mode}-work")
        self.logs_dir = os.path.join(run, f"bench-{self.mode}-logs")
        self.services = Services(os.path.join(run, f"bench-{self.mode}-pids"), self.logs_dir)
        self.venv = environ.get("BENCH_VENV", os.path.join(ROOT, ".venv-bench"))
        self.python = os.path.join(self.venv, "bin", "python")
        self.management = f"http://127.0.0.1:{self.ports['RABBIT_MANAGEMENT_PORT']}"
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

    def gateway_metric(self, name, labels=""):
        return tools.metric(f"http://127.0.0.1:{self.admin_port}/metrics", name, labels)

    def rows_written(self, worker):
        return tools.metric(f"http://127.0.0.1:{self.worker_ports[worker]}/metrics",
                            "eventgrpc_worker_rows_written_total")

    def rss(self, *names):
        """{"NAME": peak RSS in KiB, ...}"""
        return {name: tools.peak_rss_kib(self.services.pid(name)) for name in names}

    def reset_peaks(self, *names):
        for name in names:
            tools.reset_peak_rss(self.services.pid(name))

    def load(self, prefix, port, request, *options):
        """h2load against dispatch: PREFIX.out (its report), PREFIX.log (per request); returns the report's numbers
        and the latencies of the succeeded calls."""
        prefix = self.path(prefix)
        args = ["h2load", *map(str, options), "-d", request, "-H", "content-type: application/grpc",
                "-H", "te: trailers", f"--log-file={prefix}.log",
                f"http://127.0.0.1:{port}/event.EventService/dispatch"]
        with open(f"{prefix}.out", "w") as out:
            command(args, f"h2load (report {prefix}.out)", stdout=out, stderr=subprocess.STDOUT)
        return tools.h2load(f"{prefix}.out"), tools.latency(f"{prefix}.log")

    def drain_queues(self):
        """Waits (at most 60 s; 5 s when smoking) until the workers emptied the queues, then purges the rest."""
        waited = 0
        while self.depths() > 0 and waited < self.drain:
            time.sleep(1)
            waited += 1
        self.purge()

    # --- the run ------------------------------------------------------------------------------------------------

    def run(self):
        os.environ.update({name: str(port) for name, port in self.ports.items()})
        self.prepare()
        self.start_stack_and_gateway()
        for events in EVENT_COUNTS:
            self.accept_and_raw(events)
        self.purge()
        self.e2e()
        self.flood()
        self.peer()
        self.report()

    def prepare(self):
        say(f"dependencies, {self.build} build, bench virtualenv")
        command(["scripts/install-deps.sh"], stdout=subprocess.DEVNULL)
        command(["swift", "build", "-c", "release"] if self.build == "release" else ["swift", "build"])
        self.bin = command(["swift", "build", "-c", self.build, "--show-bin-path"], stdout=subprocess.PIPE,
                           text=True).stdout.strip()
        command(["scripts/bench-venv.sh"])
        for directory in (self.work, self.logs_dir):
            shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(self.work)
        os.makedirs(self.results, exist_ok=True)
        for name in os.listdir(self.results):
            if name.startswith(f"{self.date}-") and name.endswith(".json"):
                os.remove(os.path.join(self.results, name))

    def start_stack_and_gateway(self):
        say(f"stack on bench ports (RabbitMQ {self.rabbit_port}, ClickHouse HTTP {self.ports['CLICKHOUSE_PORT']})")
        self.stack_started = True
        command(["scripts/stack.sh", "start", self.stack_dir])
        self.services.start("gateway", [os.path.join(self.bin, "IngestGateway")], {
            "PORT": str(self.grpc_port), "ADMIN_PORT": str(self.admin_port), "LOG_LEVEL": "warning",
            "EVENT_WORKER_POOL_SIZE": self.group})
        self.services.wait_for_port(self.grpc_port, "gateway")
        for events in EVENT_COUNTS:
            tools.request(events, "app", self.path(f"app-{events}"))
        tools.request(100, "mixed", self.path("mixed-100"))

    def accept_and_raw(self, events):
        say(f"accept-{events} and raw-{events}: batches of {events} events")
        request = self.path(f"app-{events}.req")
        self.purge()
        if self.mode == "full":
            self.load("warm", self.grpc_port, request, "-D", 2, "-c", self.clients, "-m", self.streams)
        self.reset_peaks("gateway")
        before = self.gateway_metric("eventgrpc_gateway_batches_accepted_total")
        h2, latency = self.load(f"max-{events}", self.grpc_port, request, "-D", self.seconds, "-c", self.clients,
                                "-m", self.streams)
        accepted = self.gateway_metric("eventgrpc_gateway_batches_accepted_total") - before
        calls = h2["calls_per_second"]
        self.max_calls[events] = calls
        rows = [{"mode": "max", "events_per_call": events, "calls_per_second": calls,
                 "events_per_second": calc(calls * events), "messages_per_second": calls,
                 "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"], "rss_kib": self.rss("gateway"),
                 "accepted_batches": accepted, "h2load": h2,
                 "note": f"closed loop, -c {self.clients} -m {self.streams}"}]

        self.purge()
        raw_path = self.path(f"raw-{events}.json")
        with open(raw_path, "w") as out:
            command([os.path.join(self.bin, "BenchRawPublisher"), "--request", self.path(f"app-{events}.pb"),
                     "--seconds", self.seconds, "--group", self.group], "BenchRawPublisher", stdout=out)
        with open(raw_path) as source:
            raw = json.load(source)
        raw_rate = raw["messages_per_second"]
        ratio = calc(calls / raw_rate)
        raw_row = {"mode": "max", "events_per_call": events, "calls_per_second": raw["batches_per_second"],
                   "events_per_second": raw["events_per_second"], "messages_per_second": raw_rate,
                   "p50_ms": raw["group_p50_ms"], "p99_ms": raw["group_p99_ms"],
                   "note": f"rabbitmq-c, {self.group} batches per confirm wait; latency of one group"}
        tools.write_json(self.result(f"raw-{events}"), {
            "case": f"raw-{events}", "rows": [raw_row], "raw": raw, "summary": f"gateway/raw messages/s = {ratio}"})

        for level in self.levels:
            self.purge()
            rate = calc(calls * float(level))
            per_client = max(1, round(rate / self.clients))
            self.reset_peaks("gateway")
            h2, latency = self.load(f"open-{events}-{level}", self.grpc_port, request, "-D", self.seconds,
                                    "-c", self.clients, "-m", 100, "--rps", per_client)
            achieved = h2["calls_per_second"]
            rows.append({"mode": "open-loop", "events_per_call": events,
                         "offered_calls_per_second": per_client * self.clients, "calls_per_second": achieved,
                         "events_per_second": calc(achieved * events), "messages_per_second": achieved,
                         "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"], "rss_kib": self.rss("gateway"),
                         "note": f"{level} of max, h2load --rps {per_client} x {self.clients}"})
        tools.write_json(self.result(f"accept-{events}"), {
            "case": f"accept-{events}", "rows": rows, "gateway_over_raw_messages": ratio,
            "summary": f"gateway/raw messages/s = {ratio} (same run)"})

    def e2e(self):
        say("e2e: both families, gateway -> RabbitMQ -> workers -> ClickHouse")
        for worker, family in (("worker-analytics", "analytics"), ("worker-logs", "logs")):
            self.services.start(worker, [os.path.join(self.bin, "SinkWorker"), "--family", family], {
                "ADMIN_PORT": str(self.worker_ports[worker]), "LOG_LEVEL": "warning"})
        for worker, port in self.worker_ports.items():
            self.services.wait_for_port(port, worker)
        # Probe: the gateway as fast as it goes for BENCH_SECONDS, then the workers drain the backlog (at most 60 s):
        # the analytics rows landed over both phases per second is the rate the workers sustain (under-estimated
        # when the backlog did not drain in time and was purged).
        mixed = self.path("mixed-100.req")
        landed_before = self.rows_written("worker-analytics")
        probe_start = time.time()
        self.load("e2e-probe", self.grpc_port, mixed, "-D", self.seconds, "-c", self.clients, "-m", self.streams)
        self.drain_queues()
        probe_landed = calc((self.rows_written("worker-analytics") - landed_before) / (time.time() - probe_start))
        # Run: open loop at 90% of the probe's landed rate for BENCH_E2E_SECONDS, depths sampled every second.
        e2e_calls = max(1, round(probe_landed * 0.9 / 100 / self.clients))
        self.reset_peaks("gateway", *self.worker_ports)
        analytics_before = self.rows_written("worker-analytics")
        logs_before = self.rows_written("worker-logs")
        samples = []
        sampler = threading.Thread(target=self.sample_depths, args=(int(number(self.e2e_seconds)) + 5, samples),
                                   daemon=True)
        sampler.start()
        h2, latency = self.load("e2e", self.grpc_port, mixed, "-D", self.e2e_seconds, "-c", self.clients,
                                "-m", 100, "--rps", e2e_calls)
        sampler.join()
        analytics_rows = self.rows_written("worker-analytics") - analytics_before
        logs_rows = self.rows_written("worker-logs") - logs_before
        depths = tools.depth_summary(samples)
        tools.write_json(self.path("depths.json"), depths)
        seconds = number(self.e2e_seconds)
        achieved = h2["calls_per_second"]
        growth = depths["second_half_growth_messages_per_second"]
        landed = calc(analytics_rows / seconds)
        row = {"mode": "open-loop", "events_per_call": 100, "offered_calls_per_second": e2e_calls * self.clients,
               "calls_per_second": achieved, "events_per_second": landed, "messages_per_second": calc(achieved * 3),
               "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"],
               "rss_kib": self.rss("gateway", *self.worker_ports),
               "note": f"events/s landed in analytics (every event); logs rows/s {calc(logs_rows / seconds)}; "
                       f"depth growth {growth} msg/s"}
        tools.write_json(self.result("e2e"), {
            "case": "e2e", "rows": [row], "depths": depths, "probe_landed_rows_per_second": probe_landed,
            "analytics_rows": analytics_rows, "logs_rows": logs_rows, "seconds": seconds,
            "summary": f"offered 90% of the probe's landed rate ({probe_landed} rows/s): {landed} events/s landed, "
                       f"max depth {depths['max_depth']}, second-half growth {growth} msg/s"})
        self.drain_queues()

    def sample_depths(self, last_second, samples):
        """[second, total depth] for seconds 0..LAST_SECOND, one a second (a failed query leaves its second out)."""
        for second in range(last_second + 1):
            try:
                samples.append([second, self.depths()])
            except Exception:  # noqa: BLE001 - a missing sample is tolerated, as in the bash version
                pass
            time.sleep(1)

    def flood(self):
        say("flood: 5x the gateway's maximum for batches of 100")
        flood_calls = max(1, round(self.max_calls[100] * 5 / 50))
        seconds = number(self.flood_seconds)
        self.reset_peaks("gateway", *self.worker_ports)
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
               "p99_ms": latency["p99_ms"], "rss_kib": self.rss("gateway", *self.worker_ports),
               "note": f"refused {refusal_rate} of answered calls; refusal latency p50 {refusal_p50} ms, "
                       f"p99 {refusal_p99} ms (probe)"}
        tools.write_json(self.result("flood"), {
            "case": "flood", "rows": [row], "accepted_batches": accepted, "refused_batches": refused,
            "refusal_rate": refusal_rate, "probe": probe_result, "h2load": h2,
            "summary": f"5x offered: {refusal_rate} of calls refused (RESOURCE_EXHAUSTED), refusal p50/p99 "
                       f"{refusal_p50}/{refusal_p99} ms"})
        for worker in self.worker_ports:
            self.services.stop_checked(worker)
        self.purge()

    def peer(self):
        say(f"peer: bench/peers/python_gateway.py (grpcio, thread pool of {self.group}, pika with confirms)")
        self.services.start("peer", [self.python, "bench/peers/python_gateway.py"], {
            "PORT": str(self.peer_port), "RABBIT_PORT": str(self.rabbit_port), "PEER_WORKERS": self.group})
        self.services.wait_for_port(self.peer_port, "peer")
        rows, summary = [], []
        for events in EVENT_COUNTS:
            self.purge()
            h2, latency = self.load(f"peer-{events}", self.peer_port, self.path(f"app-{events}.req"),
                                    "-D", self.seconds, "-c", self.clients, "-m", self.streams)
            peer_calls = h2["calls_per_second"]
            ratio = calc(self.max_calls[events] / max(0.001, peer_calls))
            rows.append({"mode": "max", "events_per_call": events, "calls_per_second": peer_calls,
                         "events_per_second": calc(peer_calls * events), "messages_per_second": peer_calls,
                         "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"], "rss_kib": self.rss("peer"),
                         "ours_over_peer": ratio, "note": f"ours/peer = {ratio}"})
            summary.append(f"{events}/call ours/peer = {ratio}")
        tools.write_json(self.result("peer"), {"case": "peer", "rows": rows, "summary": ", ".join(summary)})
        self.services.stop("peer")  # its exit code is not checked (a Python peer, not our product)

    def report(self):
        say(f"results in {self.results}")
        for case in CASES:
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

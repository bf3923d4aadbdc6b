"""Sink workers under failure (seed scenarios 2, 5, 7, 9 and 10), end to end with the official grpcio client.

Each test writes its own topology (its own exchange, queues and databases), starts its own gateway and workers
from EVENTGRPC_BIN on free ports, stops them with SIGTERM (checking that they exit 0) and restores any server it
stopped. Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_PORT, RABBIT_MANAGEMENT_PORT, CLICKHOUSE_PORT (see
scripts/test.sh); KEEP_TEST_LOGS=1 keeps the processes' logs. Figures are printed: run pytest with -s to see them.
"""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import grpc

from eventgrpc_testkit import clickhouse, rabbitmq
from eventgrpc_testkit.config import CLICKHOUSE_PORT
from eventgrpc_testkit.processes import Gateway, Service, Worker
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.proxy import InspectingProxy
from eventgrpc_testkit.rabbitmq import queue_depth
from eventgrpc_testkit.stack import stack
from eventgrpc_testkit.timing import eventually, now_ms

STOP_TIMEOUT_S = 35


# ---------------------------------------------------------------- processes

def stop_timed(process: Service) -> tuple[int, float]:
    """SIGTERM, then waits for the exit (killed after STOP_TIMEOUT_S); returns the exit code and the seconds it took."""
    started = time.monotonic()
    code = process.stop(timeout=STOP_TIMEOUT_S)
    return code, time.monotonic() - started


class Deployment:
    """A topology of its own, a gateway and one worker per family, all stopped (and checked) at the end."""

    def __init__(self, tag: str, families: list[dict], worker_env: dict | None = None, start_workers: bool = True):
        self.uid = uuid.uuid4().hex[:10]
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=f"sinks-{tag}-"))
        self.exchange = f"sinks.{tag}.{self.uid}"
        self.families = []
        for family in families:
            queues = [{**queue, "name": f"sinks.{tag}.{self.uid}.{queue['name']}"} for queue in family["queues"]]
            self.families.append({**family, "database": f"sinks_{tag}_{self.uid}_{family['name']}",
                                  "queues": queues})
        self.topology = self.dir / "topology.json"
        self.topology.write_text(json.dumps({"exchange": {"name": self.exchange, "type": "topic"},
                                             "families": self.families}, indent=2))
        self.worker_env = {"RETRY_DELAY": "200ms", "DRAIN_TIMEOUT": "20s", **(worker_env or {})}
        self.processes: list[Service] = []
        self.workers: dict[str, Worker] = {}
        self.gateway = Gateway(log_dir=self.dir, LOG_LEVEL="notice", TOPOLOGY_FILE=self.topology,
                               SPOOL_DIR=self.dir / "spool")
        self.processes.append(self.gateway)
        self.gateway.start()
        self.channel = grpc.insecure_channel(self.gateway.address)
        self.stub = event_pb2_grpc.EventServiceStub(self.channel)
        if start_workers:
            for family in self.families:
                self.start_worker(family["name"])
        assert eventually(self.gateway_ready, 30), f"gateway did not start:\n{self.gateway.log_tail()}"

    def start_worker(self, family: str, env: dict | None = None) -> Worker:
        worker = Worker(family, log_dir=self.dir, **{"LOG_LEVEL": "notice", "TOPOLOGY_FILE": self.topology,
                                                     **self.worker_env, **(env or {})})
        self.processes.append(worker)
        self.workers[family] = worker
        worker.start()
        ready = eventually(lambda: self.heartbeat(family)[0] == 200, 60)
        assert ready, f"worker {family} did not become ready:\n{worker.log_tail()}"
        return worker

    def gateway_ready(self) -> bool:
        try:
            grpc.channel_ready_future(self.channel).result(timeout=1)
            return True
        except grpc.FutureTimeoutError:
            return False

    def heartbeat(self, family: str) -> tuple[int, str]:
        return self.workers[family].heartbeat(timeout=1)

    def metrics(self, family: str) -> dict[str, float]:
        """The worker's samples by metric name (labels dropped: each test's worker has one queue and database)."""
        return self.workers[family].metrics()

    def table(self, family: str, queue: int = 0) -> str:
        spec = next(f for f in self.families if f["name"] == family)
        return f"{spec['database']}.{spec['queues'][queue]['table']}"

    def queue(self, family: str, queue: int = 0) -> str:
        return next(f for f in self.families if f["name"] == family)["queues"][queue]["name"]

    def all_queues(self) -> list[str]:
        return [queue["name"] for family in self.families for queue in family["queues"]]

    def dlq_messages(self) -> int:
        return sum(queue_depth(f"{queue}.dlq")["messages"] for queue in self.all_queues())

    def landed(self, family: str, queue: int = 0) -> tuple[dict[str, int], set[str]]:
        """Raw rows per event id (duplicates before merges show as > 1) and the ids FINAL returns."""
        table = self.table(family, queue)
        try:
            raw = clickhouse.query(f"SELECT event_id, count() FROM {table} GROUP BY event_id FORMAT TSV")
            final = clickhouse.query(f"SELECT event_id FROM {table} FINAL FORMAT TSV")
        except clickhouse.ClickHouseError:
            return {}, set()
        rows = {line.split("\t")[0]: int(line.split("\t")[1]) for line in raw.splitlines() if line}
        return rows, {line for line in final.splitlines() if line}

    def final_count(self, family: str, queue: int = 0) -> int:
        try:
            return clickhouse.count_rows(self.table(family, queue))
        except clickhouse.ClickHouseError:
            return 0

    def dispatch(self, events: list, attempts: int = 20) -> bool:
        """Sends one batch, retrying UNAVAILABLE with the same ids; True once the gateway answered SUCCESS."""
        batch = event_pb2.Events(header=event_pb2.Header(sessionId=f"s-{self.uid}", deviceId=f"d-{self.uid}", os="linux"), events=events)
        for _ in range(attempts):
            try:
                if self.stub.dispatch(batch, timeout=10).status == "SUCCESS":
                    return True
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
            time.sleep(0.2)
        return False

    def close(self) -> list[tuple[str, int, float]]:
        """Stops workers first, then the gateway; returns (name, exit code, seconds) for each."""
        self.channel.close()
        results = []
        for process in reversed(self.processes):
            code, seconds = stop_timed(process)
            results.append((process.name, code, seconds))
        return results

    def cleanup(self) -> None:
        for process in self.processes:
            process.kill()
        for queue in self.all_queues():
            rabbitmq.delete_queue(queue)
        rabbitmq.delete_exchange(self.exchange)
        for family in self.families:
            try:
                clickhouse.drop_database(family["database"])
            except (clickhouse.ClickHouseError, OSError) as error:
                print(f"cleanup: could not drop {family['database']}: {error}")
        if os.environ.get("KEEP_TEST_LOGS") == "1":
            print(f"logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def assert_clean_exit(deployment: Deployment) -> None:
    results = deployment.close()
    print("exits: " + ", ".join(f"{name}={code} ({seconds:.1f} s)" for name, code, seconds in results))
    for name, code, _ in results:
        process = next(p for p in deployment.processes if p.name == name)
        assert code == 0, f"{name} exited with {code}:\n{process.log_tail()}"


def event(event_type: str, prefix: str = "") -> event_pb2.Event:
    return event_pb2.Event(id=f"{prefix}{uuid.uuid4()}", type=event_type, timestamp=str(now_ms()),
                           attributes=[event_pb2.Attribute(key="n", intValue=1)])


def direct_queue(name: str, binding: str, consumers: int = 2) -> dict:
    return {"name": name, "bindings": [binding], "consumers": consumers, "prefetch": 1, "sink": "direct",
            "table": "events"}


def buffered_queue(name: str, binding: str, consumers: int = 2, prefetch: int = 20, batch_size: int = 200,
                   batch_age_ms: int = 300) -> dict:
    return {"name": name, "bindings": [binding], "consumers": consumers, "prefetch": prefetch, "sink": "buffered",
            "table": "events", "batchSize": batch_size, "batchAge": batch_age_ms}


class Sender(threading.Thread):
    """Dispatches a batch of app and log events every `interval_s` until stopped; records acknowledged ids."""

    def __init__(self, deployment: Deployment, per_type: int = 10, interval_s: float = 0.1):
        super().__init__(daemon=True)
        self.deployment, self.per_type, self.interval_s = deployment, per_type, interval_s
        self.acked = {"app": [], "log": []}
        self.sent = 0
        self.failed = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stopping.is_set():
            batch = [event("app.open") for _ in range(self.per_type)] + \
                    [event("log.trace") for _ in range(self.per_type)]
            self.sent += len(batch)
            if self.deployment.dispatch(batch):
                with self.lock:
                    self.acked["app"] += [e.id for e in batch if e.type.startswith("app")]
                    self.acked["log"] += [e.id for e in batch if e.type.startswith("log")]
            else:
                self.failed += len(batch)
            self.stopping.wait(self.interval_s)

    def ids(self, kind: str) -> list[str]:
        with self.lock:
            return list(self.acked[kind])

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def report(label: str, acked: list[str], rows: dict[str, int], final: set[str]) -> tuple[int, int]:
    """Prints sent/landed/lost/duplicated for one table; returns (lost, duplicated in FINAL)."""
    wanted = set(acked)
    landed = wanted & final
    lost = len(wanted - final)
    duplicated_raw = sum(count - 1 for event_id, count in rows.items() if event_id in wanted and count > 1)
    print(f"{label}: acknowledged={len(acked)} landed={len(landed)} lost={lost} "
          f"duplicated(raw rows, before merge)={duplicated_raw} duplicated(FINAL)=0 unexpected={len(final - wanted)}")
    return lost, len(final - wanted)


# ---------------------------------------------------------------- a stalling TCP proxy (scenario 5)

class StallingProxy(InspectingProxy):
    """Forwards TCP to ClickHouse; the first connection whose request carries `marker` is held `stall_s` seconds
    before its bytes go on, as a slow insert would be. Every other connection flows freely."""

    def __init__(self, target_port: int, marker: bytes, stall_s: float):
        self.stall_s = stall_s
        self.stalled = threading.Event()
        self.released = threading.Event()
        super().__init__(target_port, marker)

    def on_request(self, window: bytes) -> bool:
        if not self.stalled.is_set() and self.marker in window:
            self.stalled.set()
            self.closing.wait(self.stall_s)
            self.released.set()
        return True


# ---------------------------------------------------------------- the tests

def test_clickhouse_down_30s_loses_nothing_and_dead_letters_nothing():
    """Scenario 2 and 9: ClickHouse stopped for 30 s while events flow into a direct and a buffered family."""
    deployment = Deployment("chdown", [
        {"name": "app", "queues": [direct_queue("events", "app.#", consumers=2)]},
        {"name": "log", "queues": [buffered_queue("trace", "log.#", consumers=4, prefetch=20)]},
    ])
    clickhouse_stopped = False
    try:
        # Few large messages: the direct sink inserts once per message, about 30 inserts/s on this machine.
        sender = Sender(deployment, per_type=25, interval_s=0.25)
        sender.start()
        time.sleep(3)
        stopping = time.monotonic()
        stack("stop-clickhouse", stdout=subprocess.DEVNULL)
        print(f"\nstop-clickhouse took {time.monotonic() - stopping:.1f} s")
        clickhouse_stopped = True
        outage_started = time.monotonic()
        paused = eventually(lambda: deployment.heartbeat("log")[0] == 410, 10)
        log_metrics = deployment.metrics("log")
        print(f"\nClickHouse down: log worker heartbeat={deployment.heartbeat('log')} "
              f"breaker_open={log_metrics['eventgrpc_worker_breaker_open']} "
              f"database_healthy={log_metrics['eventgrpc_worker_database_healthy']}")
        assert paused, "the worker still reports ready with its database down"
        time.sleep(max(0.0, 30 - (time.monotonic() - outage_started)))
        dlq_during_outage = deployment.dlq_messages()
        starting = time.monotonic()
        stack("start-clickhouse", stdout=subprocess.DEVNULL)
        print(f"start-clickhouse took {time.monotonic() - starting:.1f} s")
        clickhouse_stopped = False
        restarted = time.monotonic()
        time.sleep(3)
        sender.stop()
        stopped_sending = time.monotonic() - restarted
        app_ids, log_ids = sender.ids("app"), sender.ids("log")
        caught_up = eventually(lambda: deployment.final_count("app") >= len(app_ids)
                               and deployment.final_count("log") >= len(log_ids), 60, 0.5)
        caught_up_after = time.monotonic() - restarted
        print(f"caught up {caught_up_after:.1f} s after ClickHouse restarted "
              f"(sending stopped after {stopped_sending:.1f} s)")
        print(f"outage: 30 s; sent={sender.sent} acknowledged={len(app_ids) + len(log_ids)} "
              f"unacknowledged={sender.failed}")
        lost_app, extra_app = report("direct sink (app)", app_ids, *deployment.landed("app"))
        lost_log, extra_log = report("buffered sink (log)", log_ids, *deployment.landed("log"))
        time.sleep(1.5)  # the management API's statistics lag about a second
        dlq = deployment.dlq_messages()
        metrics = deployment.metrics("log")
        print(f"dead-lettered: during outage={dlq_during_outage} after={dlq}; log worker: " + ", ".join(
            f"{name.removeprefix('eventgrpc_worker_')}={value:g}" for name, value in metrics.items()
            if name.endswith("_total") or "breaker" in name or "healthy" in name or name.endswith("_count")))
        assert sender.failed == 0
        assert (lost_app, extra_app, lost_log, extra_log) == (0, 0, 0, 0)
        assert caught_up and caught_up_after <= 30, "the backlog must drain within 30 s of ClickHouse's return"
        assert dlq == 0 and dlq_during_outage == 0
        assert_clean_exit(deployment)
    finally:
        if clickhouse_stopped:
            stack("start-clickhouse", stdout=subprocess.DEVNULL)
        deployment.cleanup()


def test_logs_database_down_while_analytics_keeps_landing():
    """Scenario 10: the logs database is detached; analytics events keep landing; logs catch up once attached."""
    deployment = Deployment("dbdown", [
        {"name": "analytics", "queues": [direct_queue("events", "app.#", consumers=2)]},
        {"name": "logs", "queues": [buffered_queue("trace", "log.#", consumers=4, prefetch=20)]},
    ])
    logs_database = next(f["database"] for f in deployment.families if f["name"] == "logs")
    detached = False
    try:
        warm_up = [event("log.trace") for _ in range(5)]  # the logs family works before its database goes
        assert deployment.dispatch(warm_up)
        eventually(lambda: deployment.final_count("logs") >= 5, 15)
        clickhouse.query(f"DETACH DATABASE {logs_database}")
        detached = True
        detached_at = time.time()
        sender = Sender(deployment)
        sender.start()
        logs_paused = eventually(lambda: deployment.heartbeat("logs")[0] == 410, 10)
        time.sleep(6)
        during_app_ids = sender.ids("app")
        analytics_landed = eventually(lambda: deployment.final_count("analytics") >= len(during_app_ids), 10)
        landed_during = deployment.final_count("analytics")
        heartbeat = deployment.heartbeat("logs")
        metrics = deployment.metrics("logs")
        breaker = metrics["eventgrpc_worker_breaker_open"]
        health = metrics["eventgrpc_worker_database_healthy"]
        # The alert for a stuck queue: the logs queue's last insert stays before the outage, analytics' moves on.
        logs_last_insert = metrics["eventgrpc_worker_last_insert_timestamp_seconds"]
        analytics_last_insert = deployment.metrics("analytics")["eventgrpc_worker_last_insert_timestamp_seconds"]
        analytics_heartbeat = deployment.heartbeat("analytics")[0]
        print(f"\nlogs database detached: analytics acknowledged={len(during_app_ids)} landed during the outage="
              f"{landed_during}; logs heartbeat={heartbeat}; logs breaker_open={breaker} database_healthy={health}; "
              f"analytics heartbeat={analytics_heartbeat}")
        clickhouse.query(f"ATTACH DATABASE {logs_database}")
        detached = False
        sender.stop()
        app_ids, log_ids = sender.ids("app"), sender.ids("log") + [e.id for e in warm_up]
        eventually(lambda: deployment.final_count("logs") >= len(log_ids)
                   and deployment.final_count("analytics") >= len(app_ids), 30, 0.5)
        lost_app, extra_app = report("analytics", app_ids, *deployment.landed("analytics"))
        lost_log, extra_log = report("logs", log_ids, *deployment.landed("logs"))
        time.sleep(1.5)
        dlq = deployment.dlq_messages()
        print(f"dead-lettered={dlq}")
        assert logs_paused and heartbeat[0] == 410 and "unhealthy" in heartbeat[1]
        assert breaker == 1 and health == 0
        assert 0 < logs_last_insert <= detached_at < analytics_last_insert + 1, (logs_last_insert, detached_at,
                                                                                 analytics_last_insert)
        assert analytics_landed and analytics_heartbeat == 200
        assert (lost_app, extra_app, lost_log, extra_log, dlq) == (0, 0, 0, 0, 0)
        assert_clean_exit(deployment)
    finally:
        if detached:
            clickhouse.query(f"ATTACH DATABASE {logs_database}")
        deployment.cleanup()


def test_a_consumer_stuck_in_a_slow_insert_does_not_stop_the_others():
    """Scenario 5: one insert of a 4-consumer buffered queue is held 12 s by a proxy; the other consumers go on."""
    stall_s, consumers, prefetch, normal = 12, 4, 3, 40
    marker = f"slowmarker-{uuid.uuid4().hex}"
    proxy = StallingProxy(int(CLICKHOUSE_PORT), marker.encode(), stall_s)
    deployment = Deployment("slow", [
        {"name": "slow", "queues": [buffered_queue("events", "app.#", consumers=consumers, prefetch=prefetch,
                                                   batch_age_ms=100)]},
    ], worker_env={"CLICKHOUSE_PORT": proxy.port, "CLICKHOUSE_INSERT_TIMEOUT": "30s"})
    try:
        slow = event("app.open", prefix=marker + "-")
        assert deployment.dispatch([slow])
        assert proxy.stalled.wait(10), "the slow insert never reached the proxy"
        stalled_at = time.monotonic()
        ids = []
        for _ in range(normal):
            one = event("app.open")
            assert deployment.dispatch([one])
            ids.append(one.id)
        most = normal - (prefetch - 1)
        eventually(lambda: deployment.final_count("slow") >= most, stall_s - 4, 0.2)
        landed_while_stuck = deployment.final_count("slow")
        still_stuck = not proxy.released.is_set()
        elapsed = time.monotonic() - stalled_at
        eventually(lambda: deployment.final_count("slow") >= normal + 1, stall_s + 15, 0.5)
        rows, final = deployment.landed("slow")
        print(f"\nslow insert held {stall_s} s: sent={normal + 1} messages (1 slow); landed while it was stuck="
              f"{landed_while_stuck} after {elapsed:.1f} s (at most {prefetch - 1} wait behind it, prefetch="
              f"{prefetch}); landed in the end={len(final)}; lost={normal + 1 - len(final & set(ids + [slow.id]))}")
        assert still_stuck, "the proxy released the slow insert before the others were checked"
        assert landed_while_stuck >= most
        assert slow.id in final and set(ids) <= final
        assert_clean_exit(deployment)
    finally:
        deployment.cleanup()
        proxy.close()


def test_sigterm_with_a_half_full_batch_writes_it_and_exits_zero():
    """Scenario 7: SIGTERM while a buffered batch holds 100 of 1000 rows: exit 0, every event written or redelivered."""
    deployment = Deployment("drain", [
        {"name": "drain", "queues": [buffered_queue("events", "log.#", consumers=1, prefetch=100, batch_size=1000,
                                                    batch_age_ms=60_000)]},
    ])
    try:
        ids = []
        for _ in range(20):
            batch = [event("log.post") for _ in range(5)]
            assert deployment.dispatch(batch)
            ids += [e.id for e in batch]
        queue = deployment.queue("drain")
        held = eventually(lambda: queue_depth(queue)["messages_unacknowledged"] == 20, 15)
        written_before = deployment.final_count("drain")
        worker = deployment.workers["drain"]
        code, seconds = stop_timed(worker)
        landed = deployment.landed("drain")[1] & set(ids)
        # Statistics lag: wait until the broker no longer counts deliveries of the stopped consumer as unacked.
        depth = eventually(lambda: (d := queue_depth(queue))["messages_unacknowledged"] == 0 and d, 15)
        assert depth, f"the stopped consumer's deliveries still count as unacknowledged: {queue_depth(queue)}"
        redelivered = depth["messages"] * 5
        lost = len(ids) - len(landed) - redelivered
        print(f"\nSIGTERM with a half-full batch: sent={len(ids)} events in 20 messages; held unacked before="
              f"{bool(held)}; written before SIGTERM={written_before}; exit={code} after {seconds:.1f} s; "
              f"written={len(landed)} left for redelivery={redelivered} lost={lost}")
        assert held and written_before == 0, "the batch was not held half full before SIGTERM"
        assert code == 0, worker.log_tail()
        assert lost == 0 and len(landed) == len(ids)
        assert_clean_exit(deployment)
    finally:
        deployment.cleanup()

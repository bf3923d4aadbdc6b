"""Buffered sinks under hostile input and crashes (issue 11), whole processes against the real servers.

- A batch holding a message whose row ClickHouse refuses (the table, pre-created by an operator, carries a CHECK-like
  column: `DEFAULT throwIf(...)`): every other row lands, the refused message reaches the DLQ with ClickHouse's
  reason after its retries.
- 300 requests of maximal attributes and experiment ids: the worker's peak RSS stays under what its batch byte cap
  allows.
- kill -9 of the worker in the middle of buffered batches under load, restarted 4 s later: nothing lost, no
  duplicate in FINAL.
- An insert that keeps timing out while the database answers its health checks is a refusal; a database that hangs
  altogether is an outage (nothing dead-lettered).

Each test has its own topology, database, gateway and worker (EVENTGRPC_BIN), stopped with SIGTERM at the end.
"""

import json
import os
import pathlib
import re
import subprocess
import tempfile
import threading
import time
import uuid

import grpc
import pytest

from eventgrpc_testkit import clickhouse, rabbitmq
from eventgrpc_testkit.config import BIN, CLICKHOUSE_PORT, ROOT
from eventgrpc_testkit.processes import Gateway, Worker, environment
from eventgrpc_testkit.protos import event_pb2
from eventgrpc_testkit.proxy import InspectingProxy
from eventgrpc_testkit.timing import eventually, now_ms

STEP_TIMEOUT_S = 30
# The volume test runs the release binaries (`make test` builds them in its layers step, before this tier): a debug
# gateway takes about a minute to decode 200 MB of maximal requests on this machine.
RELEASE_BIN = pathlib.Path(os.environ.get("EVENTGRPC_RELEASE_BIN") or ROOT / ".build" / "release")


class Buffered:
    """One family with one buffered queue (its own exchange, queue and database) and, once started, its worker."""

    def __init__(self, tmp: pathlib.Path, name: str, **queue):
        uid = uuid.uuid4().hex[:8]
        self.tmp = tmp
        self.family = "bh"
        self.exchange, self.queue, self.database = f"bh.{name}.{uid}", f"bh.{name}.{uid}", f"bh_{name}_{uid}"
        self.table = f"{self.database}.events"
        spec = {"name": self.queue, "bindings": ["#"], "consumers": 2, "prefetch": 20, "sink": "buffered",
                "table": "events", "batchSize": 1000, "batchAge": 500, "retry": {"delays_ms": [200, 400]}, **queue}
        self.spec = spec
        self.topology = tmp / f"topology-{name}.json"
        self.topology.write_text(json.dumps({"exchange": {"name": self.exchange, "type": "topic"},
                                             "families": [{"name": self.family, "database": self.database,
                                                           "queues": [spec]}]}))
        self.env = {"TOPOLOGY_FILE": self.topology, "DRAIN_TIMEOUT": "20s", "RETRY_DELAY": "200ms",
                    "LOG_LEVEL": "info"}
        self.worker: Worker | None = None
        self.gateway: Gateway | None = None

    def start_worker(self, binaries: pathlib.Path = BIN) -> Worker:
        self.worker = Worker(self.family, name=f"worker-{self.queue}", log_dir=self.tmp, **self.env)
        self.worker.argv[0] = str(binaries / "SinkWorker")
        self.worker.start()
        subscribed = eventually(lambda: self.worker.log_text().count('"consumer subscribed"') >= 1, STEP_TIMEOUT_S)
        if not subscribed:
            tail = self.worker.log_tail()
            self.worker.kill()
            raise AssertionError(f"the worker did not subscribe within {STEP_TIMEOUT_S} s\n{tail}")
        return self.worker

    def start_gateway(self) -> Gateway:
        self.gateway = Gateway(log_dir=self.tmp, TOPOLOGY_FILE=self.topology, LOG_LEVEL="notice")
        return self.gateway.start()

    def dlq(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "SinkWorker"), "dlq", *arguments], env=environment(self.env),
                              capture_output=True, text=True, timeout=120)

    def landed(self) -> tuple[int, set[str]]:
        """(rows in FINAL, distinct event ids in FINAL); (0, empty) before the table exists."""
        try:
            text = clickhouse.query(f"SELECT event_id FROM {self.table} FINAL FORMAT TSV")
        except clickhouse.ClickHouseError:
            return 0, set()
        ids = [line for line in text.splitlines() if line]
        return len(ids), set(ids)

    def close(self) -> list[tuple[str, int]]:
        codes = []
        for process in (self.worker, self.gateway):
            if process is not None:
                codes.append((process.name, process.stop(timeout=40)))
        return codes

    def cleanup(self) -> None:
        for process in (self.worker, self.gateway):
            if process is not None:
                process.kill()
        rabbitmq.delete_queue(self.queue)
        rabbitmq.delete_exchange(self.exchange)
        clickhouse.drop_database(self.database)


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory(prefix="bh-") as directory:
        yield pathlib.Path(directory)


def single_call(event_ids: list[str]) -> str:
    """A message as another publisher writes it: one header, its events."""
    return json.dumps({"header": {"sessionId": "s-bh", "deviceId": "d-bh"},
                       "events": [{"id": event_id, "type": "log.trace", "timestamp": str(now_ms())}
                                  for event_id in event_ids]})


def test_a_row_clickhouse_refuses_is_isolated_from_its_batch_and_dead_lettered_with_the_reason(tmp):
    """One buffered batch of 20 messages, one of which holds a row the table refuses: the 19 others land within
    30 s, the refused one reaches the DLQ once, after its two retries, with ClickHouse's reason."""
    family = Buffered(tmp, "refused", consumers=1, prefetch=20, batchAge=3000)
    # An operator's table: a CHECK-like column makes ClickHouse refuse the whole insert of any block holding a
    # poisoned id (Code: 395); the worker adds the columns it lacks.
    clickhouse.query(f"CREATE DATABASE {family.database}")
    clickhouse.query(f"CREATE TABLE {family.table} (event_id String, timestamp DateTime, "
                     "guard UInt8 DEFAULT throwIf(event_id LIKE 'poison-%')) ENGINE = ReplacingMergeTree() "
                     "PARTITION BY toYYYYMM(timestamp) ORDER BY event_id")
    try:
        family.start_worker()
        good, poison = [], f"poison-{uuid.uuid4()}"
        started = time.monotonic()
        for index in range(20):
            if index == 7:
                rabbitmq.publish_to_queue(family.queue, single_call([poison]), f"m-poison-{uuid.uuid4()}")
                continue
            ids = [str(uuid.uuid4()) for _ in range(5)]
            good += ids
            rabbitmq.publish_to_queue(family.queue, single_call(ids), f"m-{uuid.uuid4()}")
        landed = eventually(lambda: family.landed()[1] >= set(good), STEP_TIMEOUT_S, 0.2)
        landed_after = time.monotonic() - started
        dead_lettered = eventually(lambda: rabbitmq.queue_depth(family.queue + ".dlq")["messages"] == 1,
                                   STEP_TIMEOUT_S, 0.5)
        time.sleep(1.5)  # nothing more arrives: the DLQ keeps one message
        peek = family.dlq("peek", "--queue", family.queue, "--limit", "10")
        rows, ids = family.landed()
        log = family.worker.log_text()
        print(f"\nrefused row in a buffered batch: good rows landed={len(set(good) & ids)}/{len(good)} after "
              f"{landed_after:.1f} s; poison landed={poison in ids}; DLQ={rabbitmq.queue_depth(family.queue + '.dlq')}"
              f"; splits logged={log.count('refused batch split')}\n{peek.stdout}")
        assert landed and landed_after <= STEP_TIMEOUT_S, family.worker.log_tail()
        assert poison not in ids and rows == len(good)
        assert dead_lettered and rabbitmq.queue_depth(family.queue + ".dlq")["messages"] == 1
        assert peek.returncode == 0, peek.stderr
        assert re.search(r"class=insert retries=2 origin=" + re.escape(family.queue), peek.stdout), peek.stdout
        assert "throwIf" in peek.stdout and poison in peek.stdout
        assert '"refused batch split to find the refused messages"' in log
    finally:
        codes = family.close()
        family.cleanup()
    assert all(code == 0 for _, code in codes), codes


class Sender(threading.Thread):
    """Dispatches batches of `per_call` log events through the gateway until stopped (or `calls` were made);
    records the ids of every batch answered SUCCESS."""

    def __init__(self, gateway: Gateway, make_batch, calls: int | None = None, interval_s: float = 0.0):
        super().__init__(daemon=True)
        self.channel, self.stub = gateway.stub()
        self.make_batch, self.calls, self.interval_s = make_batch, calls, interval_s
        self.acked: list[str] = []
        self.failed = 0
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        made = 0
        while not self.stopping.is_set() and (self.calls is None or made < self.calls):
            batch = self.make_batch()
            made += 1
            try:
                ok = self.stub.dispatch(batch, timeout=30).status == "SUCCESS"
            except grpc.RpcError as error:
                ok = False
                self.errors.append(f"{error.code()}: {error.details()}")
            with self.lock:
                if ok:
                    self.acked += [event.id for event in batch.events]
                else:
                    self.failed += 1
            self.stopping.wait(self.interval_s)

    def ids(self) -> list[str]:
        with self.lock:
            return list(self.acked)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
        self.channel.close()


def log_batch(count: int) -> event_pb2.Events:
    return event_pb2.Events(header=event_pb2.Header(sessionId="s-bh", deviceId="d-bh", os="linux"),
                            events=[event_pb2.Event(id=str(uuid.uuid4()), type="log.trace", timestamp=str(now_ms()))
                                    for _ in range(count)])


def test_kill_9_of_the_worker_in_the_middle_of_buffered_batches_loses_nothing_and_duplicates_nothing(tmp):
    """Log events flow continuously; the worker is killed with SIGKILL while its consumers hold batches, and
    restarted 4 s later: every acknowledged event is in the table once (FINAL), none is missing."""
    family = Buffered(tmp, "kill", consumers=4, prefetch=20, batchSize=400, batchAge=1500)
    try:
        family.start_gateway()
        family.start_worker()
        senders = [Sender(family.gateway, lambda: log_batch(20), interval_s=0.02) for _ in range(2)]
        for sender in senders:
            sender.start()
        held = eventually(lambda: rabbitmq.queue_depth(family.queue)["messages_unacknowledged"] > 0, 10, 0.2)
        time.sleep(2)
        held_at_kill = rabbitmq.queue_depth(family.queue)["messages_unacknowledged"]
        landed_before, _ = family.landed()
        family.worker.kill()
        time.sleep(4)
        family.start_worker()
        time.sleep(3)
        for sender in senders:
            sender.stop()
        acked = [event_id for sender in senders for event_id in sender.ids()]
        failed = sum(sender.failed for sender in senders)
        caught_up = eventually(lambda: family.landed()[1] >= set(acked), STEP_TIMEOUT_S, 0.5)
        rows, ids = family.landed()
        raw = int(clickhouse.query(f"SELECT count() FROM {family.table} FORMAT TSV").strip())
        print(f"\nkill -9 mid-batch: acknowledged={len(acked)} (failed calls={failed}) landed before the kill="
              f"{landed_before}; unacked held at the kill={held_at_kill}; after restart: FINAL rows={rows} distinct="
              f"{len(ids)} lost={len(set(acked) - ids)} unexpected={len(ids - set(acked))} raw rows before merges={raw}")
        assert held and held_at_kill > 0, "no batch was held when the worker was killed"
        assert failed == 0, [error for sender in senders for error in sender.errors][:3]
        assert caught_up, family.worker.log_tail()
        assert rows == len(ids) == len(acked) and ids == set(acked)
    finally:
        codes = family.close()
        family.cleanup()
    assert all(code == 0 for _, code in codes), codes


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc status")


MAX_ATTRIBUTES, MAX_FIELD_BYTES = 64, 8 * 1024  # the gateway's per-event limits (IngestLimits)
EXPERIMENT_IDS = 5_000


def maximal_batch() -> event_pb2.Events:
    """One event with every attribute the gateway accepts, each a string of the longest size, half of it characters
    that JSON escapes (twice inside the attributes column), and 5,000 experiment ids of 19 digits."""
    value = ('"\\' * (MAX_FIELD_BYTES // 64)) + "v" * (MAX_FIELD_BYTES - MAX_FIELD_BYTES // 32)
    attributes = [event_pb2.Attribute(key=f"k{index:02d}" + "k" * 60, stringValue=value)
                  for index in range(MAX_ATTRIBUTES)]
    event = event_pb2.Event(id=str(uuid.uuid4()), type="log.trace", timestamp=str(now_ms()), attributes=attributes,
                            experimentIds=[9_000_000_000_000_000_000 + index for index in range(EXPERIMENT_IDS)])
    return event_pb2.Events(header=event_pb2.Header(sessionId="s-bh", deviceId="d-bh"), events=[event])


def test_maximal_requests_keep_the_worker_under_the_memory_its_batch_byte_cap_allows(tmp):
    """300 requests of maximal attributes and experiment ids into a buffered queue whose consumers could hold 40
    such messages each: the worker's RSS, sampled from /proc all along, stays under its baseline plus, per
    consumer, the batch byte cap and the few copies of one message being decoded and inserted."""
    for program in ("IngestGateway", "SinkWorker"):
        assert (RELEASE_BIN / program).exists(), f"build the release binaries first: swift build -c release ({program})"
    consumers, batch_bytes, coalesce_bytes = 2, 4 << 20, 2 << 20
    family = Buffered(tmp, "rss", consumers=consumers, prefetch=40, batchSize=1000, batchAge=1000,
                      batchBytes=batch_bytes)
    try:
        family.gateway = Gateway(log_dir=tmp, TOPOLOGY_FILE=family.topology, LOG_LEVEL="notice",
                                 COALESCE_MAX_BYTES=coalesce_bytes)
        family.gateway.argv[0] = str(RELEASE_BIN / "IngestGateway")
        family.gateway.start()
        worker = family.start_worker(RELEASE_BIN)
        baseline = rss_kib(worker.process.pid)
        sample = maximal_batch()
        request_bytes = sample.ByteSize()
        samples: list[int] = []
        sampling = threading.Event()

        def sample_rss() -> None:
            while not sampling.is_set():
                samples.append(rss_kib(worker.process.pid))
                sampling.wait(0.1)

        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        senders = [Sender(family.gateway, maximal_batch, calls=75) for _ in range(4)]
        started = time.monotonic()
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=180)
        sent_after = time.monotonic() - started
        acked = [event_id for sender in senders for event_id in sender.ids()]
        landed = eventually(lambda: family.landed()[1] >= set(acked), 60, 0.5)
        elapsed = time.monotonic() - started
        sampling.set()
        sampler.join(timeout=5)
        for sender in senders:
            sender.stop()
        # A message holds at most a round's bytes plus one call; a consumer holds its batch (at most batchBytes:
        # bodies and rows) and the message in hand: its AMQP frames, its body, its rows (about the body's size)
        # and the slices of a split, at most 4 copies. 16 MiB of slack for the allocator. Without the cap, each
        # consumer could hold `prefetch` (40) such messages: several times this limit.
        message_kib = (coalesce_bytes + request_bytes + request_bytes // 4) // 1024
        limit = baseline + consumers * (batch_bytes // 1024 + 4 * message_kib) + 16 * 1024
        peak = max(samples)
        print(f"\nmaximal requests: {len(acked)} of 300 acknowledged ({request_bytes} bytes each) landed={bool(landed)} "
              f"in {elapsed:.1f} s (sent in {sent_after:.1f} s); worker RSS baseline={baseline // 1024} MiB peak={peak // 1024} MiB (VmHWM "
              f"{worker.peak_rss_kib() // 1024} MiB) limit={limit // 1024} MiB over {len(samples)} samples")
        assert len(acked) == 300, [error for sender in senders for error in sender.errors][:3]
        assert landed, worker.log_tail()
        assert peak <= limit
    finally:
        codes = family.close()
        family.cleanup()
    assert all(code == 0 for _, code in codes), codes


class HangingProxy(InspectingProxy):
    """Forwards TCP to ClickHouse, except that it holds without answering every request that carries `marker`
    (an insert that hangs) and, while `hang_all` is set, every request at all (a hung database: pings too)."""

    def __init__(self, target_port: int, marker: bytes):
        self.hang_all = threading.Event()
        self.held = 0
        super().__init__(target_port, marker)

    def on_request(self, window: bytes) -> bool:
        if not (self.hang_all.is_set() or self.marker in window):
            return True
        self.held += 1
        self.closing.wait()  # the request never reaches ClickHouse; the client times out
        return False


def test_an_insert_that_keeps_timing_out_is_a_refusal_but_a_hung_database_is_an_outage(tmp):
    """Inserts time out after 1 s. While the database hangs altogether (pings too), timed-out inserts are an outage:
    nothing is dead-lettered and everything lands once it answers again. A message whose insert alone hangs, the
    database answering its health checks, is split out of its batch after 3 timeouts and dead-lettered (its queue
    has no retries) with the reason; the rest of its batch lands."""
    marker = f"hangmarker-{uuid.uuid4().hex}"
    proxy = HangingProxy(int(CLICKHOUSE_PORT), marker.encode())
    family = Buffered(tmp, "hang", consumers=1, prefetch=10, batchAge=300, retry={"delays_ms": []})
    family.env.update({"CLICKHOUSE_PORT": proxy.port, "CLICKHOUSE_INSERT_TIMEOUT": "1s"})
    dlq = family.queue + ".dlq"
    try:
        family.start_worker()
        hung = []
        proxy.hang_all.set()
        for _ in range(5):
            ids = [str(uuid.uuid4()) for _ in range(3)]
            hung += ids
            rabbitmq.publish_to_queue(family.queue, single_call(ids), f"m-{uuid.uuid4()}")
        time.sleep(5)
        during = rabbitmq.queue_depth(dlq)["messages"]
        landed_during = len(family.landed()[1] & set(hung))
        paused = family.worker.heartbeat(timeout=1)[0] == 410
        proxy.hang_all.clear()
        after_hang = eventually(lambda: family.landed()[1] >= set(hung), STEP_TIMEOUT_S, 0.3)

        good, slow = [], f"{marker}-event"
        started = time.monotonic()
        for index in range(5):
            if index == 3:
                rabbitmq.publish_to_queue(family.queue, single_call([slow]), f"m-slow-{uuid.uuid4()}")
            ids = [str(uuid.uuid4()) for _ in range(3)]
            good += ids
            rabbitmq.publish_to_queue(family.queue, single_call(ids), f"m-{uuid.uuid4()}")
        landed = eventually(lambda: family.landed()[1] >= set(good), STEP_TIMEOUT_S, 0.3)
        landed_after = time.monotonic() - started
        dead_lettered = eventually(lambda: rabbitmq.queue_depth(dlq)["messages"] == 1, STEP_TIMEOUT_S, 0.5)
        peek = family.dlq("peek", "--queue", family.queue, "--limit", "10")
        print(f"\nhung database 5 s: dead-lettered during={during} landed during={landed_during} paused={paused} "
              f"all landed after={bool(after_hang)}; one hanging message: the other rows landed={bool(landed)} after "
              f"{landed_after:.1f} s, dead-lettered={rabbitmq.queue_depth(dlq)['messages']}, requests held by the "
              f"proxy={proxy.held}\n{peek.stdout}")
        assert during == 0 and landed_during == 0
        assert after_hang, family.worker.log_tail()
        assert landed, family.worker.log_tail()
        assert dead_lettered and slow not in family.landed()[1]
        assert "class=insert" in peek.stdout and "timed out" in peek.stdout and slow in peek.stdout
    finally:
        codes = family.close()
        family.cleanup()
        proxy.close()
    assert all(code == 0 for _, code in codes), codes

"""Retry and dead letters (seed scenarios 3, 6 and 9) against a real RabbitMQ, ClickHouse, gateway and worker.

Each test writes its own topology (its own exchange, queue and database, short retry delays), starts its own
SinkWorker (and, for scenario 9, its own IngestGateway) from EVENTGRPC_BIN on free ports, and stops them with
SIGTERM, checking they exit 0. Messages are published straight to a queue through the RabbitMQ management HTTP
API (`amq.default`), so no AMQP client library is needed.

Environment: EVENTGRPC_BIN, RABBIT_PORT, RABBIT_MANAGEMENT_PORT, CLICKHOUSE_PORT (or CLICKHOUSE_URL).
"""

import base64
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid

import grpc
import pytest

import event_pb2
import event_pb2_grpc

BIN = pathlib.Path(os.environ.get("EVENTGRPC_BIN", ".build/debug"))
RABBIT_PORT = os.environ.get("RABBIT_PORT", "5672")
MANAGEMENT_URL = f"http://127.0.0.1:{os.environ.get('RABBIT_MANAGEMENT_PORT', '15672')}"
CLICKHOUSE_PORT = os.environ.get("CLICKHOUSE_PORT", "8123")
CLICKHOUSE_URL = os.environ.get("CLICKHOUSE_URL", f"http://127.0.0.1:{CLICKHOUSE_PORT}").rstrip("/")
RETRY_DELAYS_MS = [300, 700]
STEP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout_s: float = STEP_TIMEOUT_S, every_s: float = 0.25):
    """Polls `condition` until it returns something truthy; returns it, or the last falsy value at the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every_s)


def clickhouse(query: str) -> str:
    request = urllib.request.Request(f"{CLICKHOUSE_URL}/", data=query.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def management(path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{MANAGEMENT_URL}{path}", data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"content-type": "application/json",
                 "authorization": "Basic " + base64.b64encode(b"guest:guest").decode()})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode())


def publish_to_queue(queue: str, payload: str, message_id: str) -> None:
    """Publishes one persistent message straight to `queue` through the default exchange."""
    answer = management("/api/exchanges/%2F/amq.default/publish", {
        "properties": {"message_id": message_id, "delivery_mode": 2, "content_type": "application/json"},
        "routing_key": queue, "payload": payload, "payload_encoding": "string"})
    assert answer.get("routed") is True, f"not routed to {queue}: {answer}"


def queue_messages(queue: str) -> int:
    """Ready plus unacknowledged messages of `queue` (the management statistics lag about a second)."""
    return int(management(f"/api/queues/%2F/{queue}?columns=messages").get("messages", 0))


class Family:
    """A private topology with one direct queue, its database and its worker process."""

    def __init__(self, tmp: pathlib.Path, name: str):
        suffix = uuid.uuid4().hex[:8]
        self.exchange = f"dlt.x.{suffix}"
        self.queue = f"dlt.{name}.{suffix}"
        self.database = f"dlt_{name}_{suffix}"
        self.table = f"{self.database}.events"
        self.topology = tmp / f"topology-{suffix}.json"
        self.topology.write_text(json.dumps({
            "exchange": {"name": self.exchange, "type": "topic"},
            "families": [{"name": "dlt", "database": self.database, "queues": [{
                "name": self.queue, "bindings": ["#"], "consumers": 2, "prefetch": 1, "sink": "direct",
                "table": "events", "retry": {"delays_ms": RETRY_DELAYS_MS}}]}]}))
        self.log = tmp / f"worker-{suffix}.log"
        self.env = dict(os.environ, RABBIT_PORT=RABBIT_PORT, CLICKHOUSE_PORT=CLICKHOUSE_PORT,
                        TOPOLOGY_FILE=str(self.topology), DRAIN_TIMEOUT="10s")
        self.worker: subprocess.Popen | None = None

    def start_worker(self) -> None:
        self.worker = subprocess.Popen([str(BIN / "SinkWorker"), "--family", "dlt"], env=self.env,
                                       stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        assert wait_for(lambda: '"consumer subscribed"' in self.log.read_text()), self.tail()

    def stop_worker(self) -> int:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGTERM)
        return self.worker.wait(timeout=20)

    def tail(self) -> str:
        return "worker log:\n" + "\n".join(self.log.read_text().splitlines()[-20:])

    def dlq(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "SinkWorker"), "dlq", *arguments], env=self.env, capture_output=True,
                              text=True, timeout=120)

    def dlq_depth(self) -> int:
        listing = self.dlq("list")
        assert listing.returncode == 0, listing.stderr
        row = next(line for line in listing.stdout.splitlines() if line.startswith(self.queue + "\t"))
        return int(row.split("\t")[2])

    def landed(self, ids: list[str]) -> tuple[int, int]:
        """(rows, distinct ids) of `ids` in `SELECT ... FINAL`."""
        quoted = ", ".join(f"'{event_id}'" for event_id in ids)
        text = clickhouse(f"SELECT count(), uniqExact(event_id) FROM {self.table} FINAL "
                          f"WHERE event_id IN ({quoted}) FORMAT TSV")
        rows, distinct = text.split()
        return int(rows), int(distinct)

    def drop(self) -> None:
        clickhouse(f"DROP DATABASE IF EXISTS {self.database}")


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory(prefix="dlt-") as directory:
        yield pathlib.Path(directory)


def good_payload(event_id: str) -> str:
    return json.dumps({"header": {"sessionId": "s-dlt", "deviceId": "d-dlt"},
                       "events": [{"id": event_id, "type": "app.dlt", "timestamp": str(time.time_ns() // 1_000_000)}]})


def test_poison_and_bad_row_each_land_in_the_dlq_once_and_the_worker_goes_on(tmp):
    family = Family(tmp, "poison")
    family.start_worker()
    try:
        publish_to_queue(family.queue, "{this is not json", f"poison-{uuid.uuid4()}")
        publish_to_queue(family.queue, json.dumps({"header": {}, "events": [{"type": "app.dlt", "timestamp": "1"}]}),
                         f"badrow-{uuid.uuid4()}")
        good = str(uuid.uuid4())
        publish_to_queue(family.queue, good_payload(good), f"good-{good}")

        assert wait_for(lambda: family.landed([good])[1] == 1), family.tail()
        assert wait_for(lambda: family.dlq_depth() == 2), family.tail()
        time.sleep(1.5)  # nothing is retried or dead-lettered twice: the depth stays 2
        depth = family.dlq_depth()
        peek = family.dlq("peek", "--queue", family.queue, "--limit", "10")
        print(f"\npoison: published=3 landed={family.landed([good])[1]} dead-lettered={depth}\n{peek.stdout}")
        assert depth == 2
        assert peek.returncode == 0, peek.stderr
        assert re.search(r"class=decode retries=0 origin=" + re.escape(family.queue), peek.stdout)
        assert re.search(r"class=bad_row retries=0 origin=" + re.escape(family.queue), peek.stdout)
        assert "reason: cannot decode the message" in peek.stdout
        assert "reason: bad row: events[0] has no id" in peek.stdout
        assert family.dlq_depth() == 2, "peek must leave the messages in the DLQ"

        another = str(uuid.uuid4())
        publish_to_queue(family.queue, good_payload(another), f"good-{another}")
        assert wait_for(lambda: family.landed([another])[1] == 1), "the worker stopped consuming"
    finally:
        code = family.stop_worker()
        family.drop()
    assert code == 0, family.tail()


def test_schema_break_dead_letters_after_retries_and_replay_restores_every_event(tmp):
    family = Family(tmp, "schema")
    family.start_worker()
    grpc_port, admin_port = free_port(), free_port()
    gateway_log = tmp / "gateway.log"
    gateway = subprocess.Popen([str(BIN / "IngestGateway")], stdout=gateway_log.open("ab"),
                               stderr=subprocess.STDOUT,
                               env=dict(family.env, PORT=str(grpc_port), ADMIN_PORT=str(admin_port),
                                        SPOOL_DIR=str(tmp / "spool")))
    renamed = False
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        grpc.channel_ready_future(channel).result(timeout=STEP_TIMEOUT_S)
        stub = event_pb2_grpc.EventServiceStub(channel)
        acknowledged: list[str] = []
        refused: list[str] = []
        sent = 0
        stop_sending = threading.Event()
        header = event_pb2.Header(sessionId=f"session-{uuid.uuid4()}", deviceId=f"device-{uuid.uuid4()}")

        def send() -> None:
            nonlocal sent
            while not stop_sending.is_set():
                events = [event_pb2.Event(id=str(uuid.uuid4()), type="app.dlt",
                                          timestamp=str(time.time_ns() // 1_000_000)) for _ in range(10)]
                sent += len(events)
                try:
                    reply = stub.dispatch(event_pb2.Events(header=header, events=events), timeout=10)
                    if reply.status == "SUCCESS":
                        acknowledged.extend(event.id for event in events)
                    else:
                        refused.append(f"{reply.status}: {reply.message}")
                except grpc.RpcError as error:  # not acknowledged: a client would retry; counted as refused
                    refused.append(f"{error.code()}: {error.details()}")
                time.sleep(0.05)

        sender = threading.Thread(target=send, name="dlt-sender")
        sender.start()
        try:
            time.sleep(1.0)
            clickhouse(f"RENAME TABLE {family.table} TO {family.table}_away")
            renamed = True
            time.sleep(3.0)
        finally:
            stop_sending.set()
            sender.join(timeout=20)
        assert acknowledged, f"the gateway acknowledged nothing: {refused[:3]}"
        # Wait until nothing is in flight: the queue and its retry queues are empty and the DLQ holds the rest.
        retry_queues = [f"{family.queue}.retry.{n}" for n in range(1, len(RETRY_DELAYS_MS) + 1)]

        def settled() -> int:
            """The DLQ depth once it and the empty queues held for 3 s (the statistics lag a second), else 0."""
            depths = []
            for _ in range(7):
                if any(queue_messages(q) != 0 for q in [family.queue, *retry_queues]):
                    return 0
                depths.append(family.dlq_depth())
                time.sleep(0.5)
            return depths[0] if len(set(depths)) == 1 else 0

        dead_lettered = wait_for(settled, timeout_s=45)
        assert dead_lettered, family.tail()
        clickhouse(f"RENAME TABLE {family.table}_away TO {family.table}")
        renamed = False
        landed_before = family.landed(acknowledged)[1]
        replay = family.dlq("replay", "--queue", family.queue)
        assert replay.returncode == 0, replay.stderr
        match = re.search(r"replayed (\d+)/(\d+)", replay.stdout)
        assert match and match.group(1) == match.group(2), replay.stdout
        replayed = int(match.group(1))

        wait_for(lambda: family.landed(acknowledged)[1] == len(acknowledged))
        rows, distinct = family.landed(acknowledged)
        lost = len(acknowledged) - distinct
        duplicated = rows - distinct
        in_dlq_events = dead_lettered * 10  # one message per batch of 10 events of one type
        print(f"\nscenario 9: sent={sent} acknowledged={len(acknowledged)} refused={len(refused)} "
              f"landed_before_fix={landed_before} "
              f"dead-lettered messages={dead_lettered} ({in_dlq_events} events) replayed messages={replayed} landed={distinct} "
              f"lost={lost} duplicated={duplicated}")
        assert dead_lettered > 0, "the schema break dead-lettered nothing: the test did not test anything"
        assert replayed == dead_lettered
        assert landed_before + in_dlq_events == len(acknowledged), "an event was neither written nor dead-lettered"
        assert lost == 0, family.tail()
        assert duplicated == 0
        assert family.dlq_depth() == 0
    finally:
        if renamed:
            clickhouse(f"RENAME TABLE {family.table}_away TO {family.table}")
        gateway.send_signal(signal.SIGTERM)
        gateway_code = gateway.wait(timeout=30)
        worker_code = family.stop_worker()
        family.drop()
    assert gateway_code == 0, gateway_log.read_text()[-2000:]
    assert worker_code == 0, family.tail()

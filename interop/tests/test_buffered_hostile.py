"""Buffered sinks under hostile input and crashes (issue 11), whole processes against the real servers.

- A batch holding a message whose row ClickHouse refuses (the table, pre-created by an operator, carries a CHECK-like
  column: `DEFAULT throwIf(...)`): every other row lands, the refused message reaches the DLQ with ClickHouse's
  reason after its retries.
- 300 requests of maximal attributes and experiment ids: the worker's peak RSS stays under what its batch byte cap
  allows.
- kill -9 of the worker in the middle of buffered batches under load, restarted 4 s later: nothing lost, no
  duplicate in FINAL.

Each test has its own topology, database, gateway and worker (EVENTGRPC_BIN), stopped with SIGTERM at the end.
"""

import json
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
from eventgrpc_testkit.config import BIN
from eventgrpc_testkit.processes import Gateway, Worker, environment
from eventgrpc_testkit.protos import event_pb2
from eventgrpc_testkit.timing import eventually, now_ms

STEP_TIMEOUT_S = 30


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

    def start_worker(self) -> Worker:
        self.worker = Worker(self.family, name=f"worker-{self.queue}", log_dir=self.tmp, **self.env)
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

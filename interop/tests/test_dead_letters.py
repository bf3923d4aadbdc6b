"""Retry and dead letters (seed scenarios 3, 6 and 9) against a real RabbitMQ, ClickHouse, gateway and worker.

Each test writes its own topology (its own exchange, queue and database, short retry delays), starts its own
SinkWorker (and, for scenario 9, its own IngestGateway) from EVENTGRPC_BIN on free ports, and stops them with
SIGTERM, checking they exit 0. Messages are published straight to a queue through the RabbitMQ management HTTP
API (`amq.default`), so no AMQP client library is needed.

Environment: EVENTGRPC_BIN, RABBIT_PORT, RABBIT_MANAGEMENT_PORT, CLICKHOUSE_PORT (or CLICKHOUSE_URL).
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

from eventgrpc_testkit import clickhouse
from eventgrpc_testkit.config import BIN
from eventgrpc_testkit.processes import Gateway, Worker, environment
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.rabbitmq import publish_to_queue, queue_depth, take_messages
from eventgrpc_testkit.timing import eventually, now_ms
from eventgrpc_testkit.topology import private_topology

RETRY_DELAYS_MS = [300, 700]
STEP_TIMEOUT_S = 30


class Family:
    """A private topology with one direct queue, its database and its worker process."""

    def __init__(self, tmp: pathlib.Path, name: str):
        self.topology = private_topology(name, tmp, consumers=2, family="dlt", retry_delays_ms=RETRY_DELAYS_MS)
        self.queue = self.topology.queue
        self.table = self.topology.table
        self.env = {"TOPOLOGY_FILE": self.topology.path, "DRAIN_TIMEOUT": "10s"}
        self.worker = Worker("dlt", name=f"worker-{name}", log_dir=tmp, **self.env)

    def start_worker(self) -> None:
        """Starts the worker and waits for its consumer; a worker that never subscribes is killed, not left behind."""
        self.worker.start()
        if not eventually(lambda: '"consumer subscribed"' in self.worker.log_text(), STEP_TIMEOUT_S):
            tail = self.tail()
            self.worker.kill()
            raise AssertionError(f"the worker did not subscribe within {STEP_TIMEOUT_S} s\n{tail}")

    def stop_worker(self) -> int:
        return self.worker.stop(timeout=20)

    def tail(self) -> str:
        return "worker log:\n" + self.worker.log_tail(20)

    def dlq(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "SinkWorker"), "dlq", *arguments], env=environment(self.env),
                              capture_output=True, text=True, timeout=120)

    def dlq_depth(self) -> int:
        listing = self.dlq("list")
        assert listing.returncode == 0, listing.stderr
        row = next(line for line in listing.stdout.splitlines() if line.startswith(self.queue + "\t"))
        return int(row.split("\t")[2])

    def landed(self, ids: list[str]) -> tuple[int, int]:
        """(rows, distinct ids) of `ids` in `SELECT ... FINAL`."""
        text = clickhouse.query(f"SELECT count(), uniqExact(event_id) FROM {self.table} FINAL "
                                f"WHERE event_id IN ({clickhouse.sql_strings(ids)}) FORMAT TSV")
        rows, distinct = text.split()
        return int(rows), int(distinct)

    def drop(self) -> None:
        clickhouse.drop_database(self.topology.database)


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory(prefix="dlt-") as directory:
        yield pathlib.Path(directory)


def good_payload(event_id: str) -> str:
    return json.dumps({"header": {"sessionId": "s-dlt", "deviceId": "d-dlt"},
                       "events": [{"id": event_id, "type": "app.dlt", "timestamp": str(now_ms())}]})


def test_poison_and_bad_row_each_land_in_the_dlq_once_and_the_worker_goes_on(tmp):
    family = Family(tmp, "poison")
    family.start_worker()
    try:
        publish_to_queue(family.queue, "{this is not json", f"poison-{uuid.uuid4()}")
        publish_to_queue(family.queue, json.dumps({"header": {}, "events": [{"type": "app.dlt", "timestamp": "1"}]}),
                         f"badrow-{uuid.uuid4()}")
        good = str(uuid.uuid4())
        publish_to_queue(family.queue, good_payload(good), f"good-{good}")

        assert eventually(lambda: family.landed([good])[1] == 1, STEP_TIMEOUT_S), family.tail()
        assert eventually(lambda: family.dlq_depth() == 2, STEP_TIMEOUT_S), family.tail()
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
        assert eventually(lambda: family.landed([another])[1] == 1, STEP_TIMEOUT_S), "the worker stopped consuming"
        assert family.stop_worker() == 0, family.tail()
        check_dlq_flags(family)
    finally:
        code = family.stop_worker()
        family.drop()
    assert code == 0, family.tail()


def check_dlq_flags(family: Family) -> None:
    """The dlq flags on the poison (decode) and bad-row dead letters, the worker stopped so nothing consumes."""
    def objects(result: subprocess.CompletedProcess) -> list[dict]:
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    listed = objects(family.dlq("list", "--output", "json"))
    assert next(row for row in listed if row["queue"] == family.queue)["depth"] == 2, listed
    messages = objects(family.dlq("peek", "--queue", family.queue, "--output", "json", "--full"))
    assert sorted(message["reason_class"] for message in messages) == ["bad_row", "decode"], messages
    poison = next(message for message in messages if message["reason_class"] == "decode")
    assert poison["body"] == "{this is not json" and not poison["body_truncated"], poison
    assert poison["origin_queue"] == family.queue and poison["retries"] == 0, poison
    only = objects(family.dlq("peek", "--queue", family.queue, "--reason-class", "bad_row", "--output", "json"))
    assert [message["reason_class"] for message in only] == ["bad_row"], only
    dry = objects(family.dlq("replay", "--queue", family.queue, "--dry-run", "--output", "json"))
    assert len(dry) == 3 and dry[-1]["dry_run"] and (dry[-1]["selected"], dry[-1]["replayed"]) == (2, 0), dry
    assert eventually(lambda: family.dlq_depth() == 2, 10), "a dry run must change nothing"
    replay = family.dlq("replay", "--queue", family.queue, "--reason-class", "bad_row", "--rate", "5")
    print(f"\ndlq replay --reason-class bad_row --rate 5: {replay.stdout.strip()} | {replay.stderr.strip()}")
    assert replay.returncode == 0 and "replayed 1/1" in replay.stdout and "msg/s" in replay.stderr, replay
    assert eventually(lambda: family.dlq_depth() == 1, 10), "only the bad-row message leaves the DLQ"
    assert eventually(lambda: queue_depth(family.queue)["messages_ready"] == 1, 10)
    refused = family.dlq("replay", "--queue", family.queue, "--rate", "0")
    assert refused.returncode == 2 and "usage: SinkWorker dlq" in refused.stderr, refused


HEADER_FIELDS = ["sessionId", "deviceId", "androidAdvertisingId", "clientId", "channel", "os", "clientType",
                 "appLanguage", "appVersion", "appVersionCode", "currentURL", "merchantId", "utmReferrer",
                 "utmPlatform", "utmSource", "utmMedium", "utmCampaign", "ppId"]


def test_a_mixed_message_lands_its_good_rows_and_dead_letters_only_its_bad_events(tmp):
    """The natural-batching shape: good events of a message land with every header field and both times; the
    refused ones (a missing id, a timestamp out of range, a call whose header holds an id out of range) go to the
    DLQ once, as one message of their own, under their calls' headers, with the reason."""
    family = Family(tmp, "mixed")
    family.start_worker()
    try:
        tag = uuid.uuid4().hex[:8]
        header = {"bbDeviceId": 7, "userId": 42, **{name: f"{name}-{tag}" for name in HEADER_FIELDS}}
        broken_header = {"sessionId": f"broken-{tag}", "bbDeviceId": "99999999999999999999"}
        received = now_ms() - 60_000

        def event(event_id: str, **fields) -> dict:
            return {"id": event_id, "type": "app.dlt", "timestamp": now_ms(), "originalTimestamp": now_ms(),
                    "timestampCorrected": False, "currentURL": "/page", "attributes": {"k": "v", "n": 3},
                    "experimentIds": [1, 2], **fields}

        good = [f"good-{tag}-{n}" for n in range(3)]
        no_id = event("", type="app.dlt")
        out_of_range = event(f"range-{tag}", timestamp="99999999999999999999")
        orphan = event(f"orphan-{tag}")
        body = {"calls": [
            {"header": header, "receivedAt": received, "events": [event(good[0]), no_id, event(good[1])]},
            {"header": broken_header, "receivedAt": received + 1, "events": [orphan]},
            {"header": header, "receivedAt": received + 2, "events": [event(good[2]), out_of_range]},
        ]}
        publish_to_queue(family.queue, json.dumps(body), f"mixed-{tag}")

        assert eventually(lambda: family.landed(good)[1] == 3, STEP_TIMEOUT_S), family.tail()
        assert eventually(lambda: family.dlq_depth() == 1, STEP_TIMEOUT_S), family.tail()
        time.sleep(1.5)  # nothing more arrives: the message was acked, its bad events dead-lettered once
        assert family.dlq_depth() == 1
        assert family.landed([f"range-{tag}", f"orphan-{tag}"]) == (0, 0)
        peek = family.dlq("peek", "--queue", family.queue, "--limit", "10")
        print(f"\nmixed message: 6 events, landed={family.landed(good)[1]}, dead-lettered:\n{peek.stdout}")
        assert peek.returncode == 0, peek.stderr
        assert f"message_id=mixed-{tag}.rejected class=bad_row retries=0 origin={family.queue}" in peek.stdout
        assert ("reason: bad row: 3 of 6 events refused: calls[0].events[1] has no id; "
                "calls[1].header.bbDeviceId is out of range; calls[2].events[1].timestamp is out of range") in peek.stdout

        row = json.loads(clickhouse.query(
            f"SELECT * FROM {family.table} FINAL WHERE event_id = '{good[2]}' FORMAT JSONEachRow"))
        stored = {"session_id": "sessionId", "device_id": "deviceId", "android_advertising_id": "androidAdvertisingId",
                  "client_id": "clientId", "channel": "channel", "os": "os", "client_type": "clientType",
                  "app_language": "appLanguage", "app_version": "appVersion", "app_version_code": "appVersionCode",
                  "header_current_url": "currentURL", "merchant_id": "merchantId", "utm_referrer": "utmReferrer",
                  "utm_platform": "utmPlatform", "utm_source": "utmSource", "utm_medium": "utmMedium",
                  "utm_campaign": "utmCampaign", "pp_id": "ppId"}
        assert {column: row[column] for column in stored} == {column: header[field] for column, field in stored.items()}
        assert (int(row["bb_device_id"]), int(row["user_id"])) == (7, 42)
        assert int(row["received_at_ms"]) == received + 2, "the call's receive time, not the delivery's"
        assert row["current_url"] == "/page" and row["message_id"] == f"mixed-{tag}"
        assert row["written_at"] >= row["received_at"]

        copies = take_messages(family.queue + ".dlq")
        assert copies == [{"calls": [
            {"header": header, "receivedAt": received, "events": [no_id]},
            {"header": broken_header, "receivedAt": received + 1, "events": [orphan]},
            {"header": header, "receivedAt": received + 2, "events": [out_of_range]},
        ]}]
    finally:
        code = family.stop_worker()
        family.drop()
    assert code == 0, family.tail()


def test_schema_break_dead_letters_after_retries_and_replay_restores_every_event(tmp):
    family = Family(tmp, "schema")
    family.start_worker()
    gateway = Gateway(log_dir=tmp, **family.env).start()
    renamed = False
    try:
        channel = grpc.insecure_channel(gateway.address)
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
                                          timestamp=str(now_ms())) for _ in range(10)]
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
            clickhouse.query(f"RENAME TABLE {family.table} TO {family.table}_away")
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
                if any(queue_depth(q)["messages"] != 0 for q in [family.queue, *retry_queues]):
                    return 0
                depths.append(family.dlq_depth())
                time.sleep(0.5)
            return depths[0] if len(set(depths)) == 1 else 0

        dead_lettered = eventually(settled, 45)
        assert dead_lettered, family.tail()
        clickhouse.query(f"RENAME TABLE {family.table}_away TO {family.table}")
        renamed = False
        landed_before = family.landed(acknowledged)[1]
        replay = family.dlq("replay", "--queue", family.queue)
        assert replay.returncode == 0, replay.stderr
        match = re.search(r"replayed (\d+)/(\d+)", replay.stdout)
        assert match and match.group(1) == match.group(2), replay.stdout
        replayed = int(match.group(1))

        eventually(lambda: family.landed(acknowledged)[1] == len(acknowledged), STEP_TIMEOUT_S)
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
            clickhouse.query(f"RENAME TABLE {family.table}_away TO {family.table}")
        gateway_code = gateway.stop(timeout=30)
        worker_code = family.stop_worker()
        family.drop()
    assert gateway_code == 0, gateway.log_text()[-2000:]
    assert worker_code == 0, family.tail()

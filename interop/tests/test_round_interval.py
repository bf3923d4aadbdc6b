"""PUBLISH_ROUND_INTERVAL with the official grpcio client: under concurrent load a publish round waits for the
interval (or until it is full), so broker messages carry many calls; a lone call after an idle interval is
published at once.

Runs its own gateway (EVENTGRPC_BIN) with PUBLISH_ROUND_INTERVAL=1s and a private topology (one queue bound `#`,
nothing consumes it: the messages are read back through the management API). The assertions are on structure,
never on times: the gateway's eventgrpc_gateway_rounds_total by `start` label, and the messages in the queue.

Environment: EVENTGRPC_BIN, RABBIT_PORT, RABBIT_MANAGEMENT_PORT (set by scripts/test.sh).
"""

import time
import uuid

from eventgrpc_testkit.net import http
from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2
from eventgrpc_testkit.rabbitmq import event_ids, take_messages
from eventgrpc_testkit.timing import now_ms
from eventgrpc_testkit.topology import private_topology

CALLS = 240
EVENTS_PER_CALL = 5
INTERVAL_S = 1.0
STARTS = ("at_once", "after_interval", "filled", "cancelled")


def make_batch(tag: str) -> tuple[event_pb2.Events, list[str]]:
    ids = [f"round-{tag}-{n}-{uuid.uuid4().hex[:6]}" for n in range(EVENTS_PER_CALL)]
    now = str(now_ms())
    events = [event_pb2.Event(id=i, timestamp=now, type="round.test") for i in ids]
    return event_pb2.Events(header=event_pb2.Header(deviceId="round-device"), events=events), ids


def rounds(gateway: Gateway) -> dict[str, int]:
    """eventgrpc_gateway_rounds_total by its `start` label."""
    status, body = http(f"http://127.0.0.1:{gateway.admin_port}/metrics", timeout=5)
    assert status == 200
    counts = dict.fromkeys(STARTS, 0)
    for line in body.splitlines():
        if line.startswith("eventgrpc_gateway_rounds_total{"):
            labels, value = line.rsplit(" ", 1)
            start = labels.split('start="', 1)[1].split('"', 1)[0]
            counts[start] = int(float(value))
    return counts


def test_concurrent_calls_share_messages_and_a_lone_call_after_idle_goes_at_once():
    topology = private_topology("rounds")
    gateway = Gateway(TOPOLOGY_FILE=topology.path, PUBLISH_ROUND_INTERVAL=f"{int(INTERVAL_S * 1000)}ms").start()
    channel, stub = gateway.stub()
    try:
        batches = [make_batch(str(index)) for index in range(CALLS)]
        futures = [stub.dispatch.future(request, timeout=60) for request, _ in batches]
        assert all(future.result().status == "SUCCESS" for future in futures)
        under_load = rounds(gateway)
        messages = take_messages(topology.queue)
        total = sum(under_load.values())
        print(f"round interval: {CALLS} concurrent calls in {total} rounds {under_load}, {len(messages)} messages")
        assert len(messages) == total, "one routing key: one message per round"
        assert sorted(event_ids(messages)) == sorted(i for _, ids in batches for i in ids)
        assert under_load["after_interval"] + under_load["filled"] >= 1, "under load, rounds are held"
        assert total <= CALLS // 10, "messages carry many calls each"

        time.sleep(INTERVAL_S * 1.5)  # the publisher is idle for longer than the interval
        request, ids = make_batch("lone")
        assert stub.dispatch(request, timeout=30).status == "SUCCESS"
        after_idle = rounds(gateway)
        assert after_idle == {**under_load, "at_once": under_load["at_once"] + 1}, "a lone call is not held"
        lone = take_messages(topology.queue)
        assert len(lone) == 1 and event_ids(lone) == ids
        assert gateway.stop() == 0
    finally:
        channel.close()
        gateway.kill()
        topology.delete()

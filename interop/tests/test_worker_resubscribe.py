"""Broker restart under running workers: the sink workers started by `make test` resubscribe by themselves and
events sent after the restart land in ClickHouse, without restarting any worker (issue 4, Go consumers hung).

Uses the shared gateway and workers (GATEWAY_ADDR, CLICKHOUSE_URL) and STACK_DIR to kill -9 and restart RabbitMQ.
"""

import time
import uuid

import grpc

from eventgrpc_testkit import clickhouse
from eventgrpc_testkit.config import GATEWAY_ADDR
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.stack import stack
from eventgrpc_testkit.timing import now_ms

TABLE = "analytics.events"
EVENTS = 50


def send(stub: event_pb2_grpc.EventServiceStub, ids: list[str]) -> None:
    now = str(now_ms())
    batch = event_pb2.Events(header=event_pb2.Header(deviceId="resubscribe-device"),
                             events=[event_pb2.Event(id=i, timestamp=now, type="app.resubscribe") for i in ids])
    deadline = time.time() + 30
    while True:
        try:
            assert stub.dispatch(batch, timeout=10).status == "SUCCESS"
            return
        except grpc.RpcError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def test_workers_resume_consuming_after_a_broker_crash():
    channel = grpc.insecure_channel(GATEWAY_ADDR)
    stub = event_pb2_grpc.EventServiceStub(channel)
    before = [f"resub-before-{uuid.uuid4()}" for _ in range(EVENTS)]
    send(stub, before)
    clickhouse.wait_for_rows(TABLE, before, timeout_s=30, interval_s=0.2)
    assert clickhouse.count_rows(TABLE, before) == EVENTS

    stack("kill-rabbit")
    try:
        time.sleep(2)
    finally:
        stack("start-rabbit")

    after = [f"resub-after-{uuid.uuid4()}" for _ in range(EVENTS)]
    started = time.time()
    send(stub, after)
    clickhouse.wait_for_rows(TABLE, after, timeout_s=60, interval_s=0.2)
    landed = clickhouse.count_rows(TABLE, after)
    print(f"resubscribe: before={EVENTS} landed; after restart sent={EVENTS} landed={landed} "
          f"in {time.time() - started:.1f}s")
    channel.close()
    assert landed == EVENTS, "the workers did not resume consuming after the broker restart"

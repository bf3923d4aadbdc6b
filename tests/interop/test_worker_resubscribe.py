"""Broker restart under running workers: the sink workers started by `make test` resubscribe by themselves and
events sent after the restart land in ClickHouse, without restarting any worker (issue 4, Go consumers hung).

Uses the shared gateway and workers (GATEWAY_ADDR, CLICKHOUSE_URL) and STACK_DIR to kill -9 and restart RabbitMQ.
"""

import os
import subprocess
import time
import urllib.request
import uuid

import grpc

import event_pb2
import event_pb2_grpc

GATEWAY_ADDR = os.environ.get("GATEWAY_ADDR", "127.0.0.1:8017")
CLICKHOUSE_URL = os.environ.get("CLICKHOUSE_URL", "http://127.0.0.1:8123").rstrip("/")
STACK_DIR = os.environ.get("STACK_DIR", ".run/test-stack")
EVENTS = 50


def count_landed(ids: list[str]) -> int:
    quoted = ",".join(f"'{i}'" for i in ids)
    query = f"SELECT count() FROM analytics.events FINAL WHERE event_id IN ({quoted}) FORMAT TSV"
    request = urllib.request.Request(CLICKHOUSE_URL, data=query.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.read().decode().strip())


def send(stub: event_pb2_grpc.EventServiceStub, ids: list[str]) -> None:
    now = str(time.time_ns() // 1_000_000)
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
    deadline = time.time() + 30
    while count_landed(before) < EVENTS and time.time() < deadline:
        time.sleep(0.2)
    assert count_landed(before) == EVENTS

    subprocess.run(["scripts/stack.sh", "kill-rabbit", STACK_DIR], check=True)
    try:
        time.sleep(2)
    finally:
        subprocess.run(["scripts/stack.sh", "start-rabbit", STACK_DIR], check=True)

    after = [f"resub-after-{uuid.uuid4()}" for _ in range(EVENTS)]
    started = time.time()
    send(stub, after)
    deadline = time.time() + 60
    while count_landed(after) < EVENTS and time.time() < deadline:
        time.sleep(0.2)
    landed = count_landed(after)
    print(f"resubscribe: before={EVENTS} landed; after restart sent={EVENTS} landed={landed} "
          f"in {time.time() - started:.1f}s")
    channel.close()
    assert landed == EVENTS, "the workers did not resume consuming after the broker restart"

"""Seed scenario 4 (backpressure): a flood against a gateway with a tiny queue gets fast RESOURCE_EXHAUSTED
refusals with a pushback hint, memory stays bounded, and every accepted event is delivered, none of a refused one.

Runs its own gateway (EVENTGRPC_BIN) with EVENT_BUFFERED_CHANNEL_SIZE=1 and one publishing worker, publishing to a
private exchange and queue; delivered events are read back from the queue through the management API. The broker is
made slow: frozen (SIGSTOP to its beam.smp) while the gateway is told to wait for it (PUBLISH_STALL_TIMEOUT and
PUBLISH_CONFIRM_TIMEOUT of 60 s; with the defaults a frozen or blocked broker is an outage answered from the spool,
see test_broker_stall.py), so the queue stays full for longer than the 1 s enqueue timeout.
"""

import concurrent.futures
import os
import signal
import threading
import time
import uuid

import grpc

from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.rabbitmq import event_ids, take_messages
from eventgrpc_testkit.stack import broker_pid
from eventgrpc_testkit.timing import now_ms, wait_until
from eventgrpc_testkit.topology import private_topology

CALLS = 300
EVENTS_PER_CALL = 50
CHANNELS = 8
RSS_BOUND_KIB = 256 * 1024  # debug build; the release build stays far below (see bench/)


def make_batch(index: int) -> tuple[event_pb2.Events, list[str]]:
    ids = [f"flood-{index}-{n}-{uuid.uuid4().hex[:6]}" for n in range(EVENTS_PER_CALL)]
    now = str(now_ms())
    events = [event_pb2.Event(id=i, timestamp=now, type="flood.event",
                              attributes=[event_pb2.Attribute(key="pad", stringValue="x" * 200)]) for i in ids]
    return event_pb2.Events(header=event_pb2.Header(deviceId="flood-device"), events=events), ids


def test_flood_is_refused_fast_and_accepted_events_all_arrive():
    topology = private_topology("flood")
    gateway = Gateway(TOPOLOGY_FILE=topology.path, EVENT_BUFFERED_CHANNEL_SIZE="1", EVENT_WORKER_POOL_SIZE="1",
                      PUBLISH_STALL_TIMEOUT="60s", PUBLISH_CONFIRM_TIMEOUT="60s").start()
    frozen = None
    try:
        # A local subchannel pool gives each channel its own connection (100 streams each on this server).
        channels = [grpc.insecure_channel(gateway.address, options=[("grpc.use_local_subchannel_pool", 1)])
                    for _ in range(CHANNELS)]
        stubs = [event_pb2_grpc.EventServiceStub(c) for c in channels]
        batches = [make_batch(i) for i in range(CALLS)]
        accepted: list[str] = []
        refused: list[str] = []
        refusal_latencies: list[float] = []
        pushbacks: set[str] = set()
        other: list[str] = []
        lock = threading.Lock()

        def call(index: int) -> None:
            request, ids = batches[index]
            started = time.monotonic()
            try:
                response, rpc = stubs[index % CHANNELS].dispatch.with_call(request, timeout=30)
                with lock:
                    if response.status == "SUCCESS":
                        accepted.extend(ids)
                    else:
                        other.append(response.status)
            except grpc.RpcError as error:
                elapsed = time.monotonic() - started
                with lock:
                    if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                        refused.extend(ids)
                        refusal_latencies.append(elapsed)
                        pushbacks.update(v for k, v in (error.trailing_metadata() or ()) if k == "grpc-retry-pushback-ms")
                    else:
                        other.append(f"{error.code()}: {error.details()}")

        # Connected first: batches taken before the publisher connects are spooled, and replayed only later.
        wait_until(lambda: gateway.metric("eventgrpc_gateway_broker_connected") == 1, 30, "the gateway connected")
        frozen = broker_pid()
        os.kill(frozen, signal.SIGSTOP)
        with concurrent.futures.ThreadPoolExecutor(max_workers=CALLS) as pool:
            futures = [pool.submit(call, index) for index in range(CALLS)]
            # Until every call but those the gateway holds (the round in flight and the queued call) is refused:
            # refusals stop coming for a second (or 20 s pass).
            deadline = time.monotonic() + 20
            seen, quiet_since = -1, time.monotonic()
            while time.monotonic() < deadline and len(refusal_latencies) < CALLS - 2:
                if len(refusal_latencies) != seen:
                    seen, quiet_since = len(refusal_latencies), time.monotonic()
                elif seen > 0 and time.monotonic() - quiet_since > 1:
                    break
                time.sleep(0.05)
            os.kill(frozen, signal.SIGCONT)  # the waiting publish and the queued batch now go through
            frozen = None
            for future in futures:
                future.result()
        for c in channels:
            c.close()

        rss = gateway.peak_rss_kib()
        delivered = event_ids(take_messages(topology.queue))
        refusal_latencies.sort()
        p50 = refusal_latencies[len(refusal_latencies) // 2] if refusal_latencies else 0
        print(f"flood: calls={CALLS} events_sent={CALLS * EVENTS_PER_CALL} acknowledged={len(accepted)} "
              f"refused={len(refused)} delivered={len(delivered)} lost={len(set(accepted) - set(delivered))} "
              f"refusal_p50={p50:.2f}s refusal_max={refusal_latencies[-1] if refusal_latencies else 0:.2f}s "
              f"pushback_ms={sorted(pushbacks)} peak_rss={rss // 1024} MiB (bound {RSS_BOUND_KIB // 1024} MiB)")
        assert not other, other[:5]
        assert refused, "the flood should have filled the queue"
        assert accepted, "some batches should have been accepted"
        assert pushbacks == {"1000"}
        assert refusal_latencies[-1] < 3.0, "refusals must come about 1 s after the queue stayed full"
        assert set(accepted) <= set(delivered), "an acknowledged event was lost"
        assert not set(refused) & set(delivered), "a refused batch was enqueued"
        assert rss < RSS_BOUND_KIB
        assert gateway.stop() == 0
    finally:
        if frozen is not None:
            os.kill(frozen, signal.SIGCONT)
        gateway.kill()
        topology.delete()

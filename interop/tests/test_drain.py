"""Seed scenario 7 (deploy): SIGTERM under load. The gateway reports NOT_SERVING (heartbeat 410) before it exits,
refuses new calls with UNAVAILABLE, exits 0, and every event it answered SUCCESS is in the broker.

Runs its own gateway (EVENTGRPC_BIN) with SHUTDOWN_GRACE=1s on a private exchange and queue.
"""

import signal
import threading
import time
import uuid

import grpc

from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc, health_pb2, health_pb2_grpc
from eventgrpc_testkit.rabbitmq import event_ids, take_messages
from eventgrpc_testkit.timing import now_ms
from eventgrpc_testkit.topology import private_topology

SENDERS = 6
EVENTS_PER_CALL = 20
LOAD_BEFORE_SIGTERM_S = 2.0
KEEP_SENDING_AFTER_EXIT_S = 1.0


def test_sigterm_under_load_loses_nothing_and_exits_zero():
    topology = private_topology("drain")
    gateway = Gateway(TOPOLOGY_FILE=topology.path, SHUTDOWN_GRACE="1s").start()
    acknowledged: list[str] = []
    failures: dict[str, int] = {}
    heartbeats: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        def sender() -> None:
            channel = grpc.insecure_channel(gateway.address, options=[("grpc.use_local_subchannel_pool", 1)])
            stub = event_pb2_grpc.EventServiceStub(channel)
            while not stop.is_set():
                ids = [f"drain-{uuid.uuid4()}" for _ in range(EVENTS_PER_CALL)]
                now = str(now_ms())
                batch = event_pb2.Events(header=event_pb2.Header(deviceId="drain-device"),
                                         events=[event_pb2.Event(id=i, timestamp=now, type="drain.event") for i in ids])
                try:
                    response = stub.dispatch(batch, timeout=5)
                    assert response.status == "SUCCESS"
                    with lock:
                        acknowledged.extend(ids)
                except grpc.RpcError as error:
                    with lock:
                        failures[error.code().name] = failures.get(error.code().name, 0) + 1
                    time.sleep(0.01)
            channel.close()

        def watcher() -> None:
            while not stop.is_set() and gateway.running():
                status, _ = gateway.heartbeat()
                if status == 0:  # nothing listens any more
                    break
                with lock:
                    heartbeats.append((time.monotonic(), status))
                time.sleep(0.02)

        threads = [threading.Thread(target=sender) for _ in range(SENDERS)] + [threading.Thread(target=watcher)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_BEFORE_SIGTERM_S)
        with lock:
            before = len(acknowledged)
        signalled = time.monotonic()
        gateway.signal(signal.SIGTERM)
        code = gateway.wait(timeout=40)
        exited = time.monotonic()
        time.sleep(KEEP_SENDING_AFTER_EXIT_S)
        stop.set()
        for thread in threads:
            thread.join(timeout=20)

        delivered = set(event_ids(take_messages(topology.queue)))
        lost = set(acknowledged) - delivered
        not_serving = [t for t, status in heartbeats if status == 410 and t >= signalled]
        print(f"drain: acknowledged={len(acknowledged)} (before SIGTERM {before}) delivered={len(delivered)} "
              f"lost={len(lost)} failures={failures} exit={code} exit_after={exited - signalled:.2f}s "
              f"first_410_after={not_serving[0] - signalled if not_serving else -1:.2f}s")
        assert code == 0, gateway.log_tail()
        assert before > 0, "the load should have been flowing before SIGTERM"
        assert not_serving and not_serving[0] < exited, "heartbeat must turn 410 before the process exits"
        assert failures.get("UNAVAILABLE", 0) > 0, "calls after the drain began must be refused with UNAVAILABLE"
        assert set(failures) == {"UNAVAILABLE"}, failures
        assert not lost, f"{len(lost)} acknowledged events are missing from the broker"
    finally:
        stop.set()
        gateway.kill()
        topology.delete()


def test_a_second_sigterm_cuts_the_drain_short():
    """An operator who signals twice wants the process gone: the drain stops waiting (here for a long grace period
    with a Watch open), the services are cancelled, and the process exits promptly with a non-zero code."""
    gateway = Gateway(SHUTDOWN_GRACE="20s", DRAIN_TIMEOUT="60s").start()
    try:
        with grpc.insecure_channel(gateway.address) as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(), timeout=60)
            assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            gateway.signal(signal.SIGTERM)
            assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
            time.sleep(0.5)
            assert gateway.running(), "the first SIGTERM starts a drain that waits out SHUTDOWN_GRACE"
            signalled = time.monotonic()
            gateway.signal(signal.SIGTERM)
            code = gateway.wait(timeout=15)
            took = time.monotonic() - signalled
        print(f"second SIGTERM: exit={code} after {took:.2f}s")
        assert code == 1, gateway.log_tail()
        assert took < 5, f"the second SIGTERM must end the process at once, took {took:.2f}s"
        assert "second signal" in gateway.log_text()
    finally:
        gateway.kill()

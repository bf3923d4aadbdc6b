"""The gateway's local spool (promise P1, seed scenario 1), with the official grpcio client.

Each test starts its own gateway from EVENTGRPC_BIN with its own SPOOL_DIR and its own topology (a unique exchange
and queue, nothing consumes it), kills the broker with `scripts/stack.sh kill-rabbit "$STACK_DIR"`, and counts what
reaches the queue through the RabbitMQ management API (RABBIT_MANAGEMENT_PORT, guest/guest). The broker is
restarted in a `finally`; the queue and exchange are deleted afterwards.

Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_PORT, RABBIT_MANAGEMENT_PORT (set by scripts/test.sh).
"""

import os
import pathlib
import signal
import threading
import time
import uuid

import grpc
import pytest

from eventgrpc_testkit.config import STACK_DIR
from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.rabbitmq import event_ids, take_messages
from eventgrpc_testkit.stack import stack
from eventgrpc_testkit.timing import now_ms, wait_until
from eventgrpc_testkit.topology import PrivateTopology, private_topology

EVENT_TYPE = "spool.test"

pytestmark = pytest.mark.skipif(not os.environ.get("STACK_DIR"), reason="needs STACK_DIR (run through scripts/test.sh)")


def broker_pid() -> int:
    """The stack's beam.smp, checked the way scripts/stack.sh checks before signalling it."""
    pid = int(pathlib.Path(STACK_DIR, "rabbitmq", "beam.pid").read_text().strip())
    assert pathlib.Path(f"/proc/{pid}/comm").read_text().strip() == "beam.smp"
    environ = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert f"EVENTGRPC_STACK_DIR={os.path.realpath(STACK_DIR)}".encode() in environ
    return pid


def spool_gateway(directory: pathlib.Path, topology: PrivateTopology, spool: pathlib.Path, name: str) -> Gateway:
    """A gateway (not started) with its own ports, spool directory, small spool segments and topology."""
    return Gateway(name, log_dir=directory, GRPC_HOST="127.0.0.1", TOPOLOGY_FILE=topology.path, SPOOL_DIR=spool,
                   SPOOL_SEGMENT_BYTES="65536")


def make_batch(size: int) -> event_pb2.Events:
    now = str(now_ms())
    header = event_pb2.Header(sessionId=f"session-{uuid.uuid4()}", deviceId=f"device-{uuid.uuid4()}", userId=7)
    events = [event_pb2.Event(id=str(uuid.uuid4()), type=EVENT_TYPE, timestamp=now) for _ in range(size)]
    return event_pb2.Events(header=header, events=events)


def send(stub: event_pb2_grpc.EventServiceStub, size: int = 5) -> tuple[list[str], str | None, bool]:
    """Sends one batch; returns its event ids, the error code name (None on SUCCESS) and whether it was spooled."""
    batch = make_batch(size)
    ids = [event.id for event in batch.events]
    try:
        response = stub.dispatch(batch, timeout=10)
    except grpc.RpcError as error:
        return ids, error.code().name, False
    assert response.status == "SUCCESS", response
    return ids, None, "spooled" in response.message


def confirmed_batch(stub: event_pb2_grpc.EventServiceStub) -> list[str]:
    """Sends batches until one is confirmed by the broker (not spooled): the gateway is connected and its
    topology declared. Returns that batch's ids."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ids, error, spooled = send(stub)
        if error is None and not spooled:
            return ids
        time.sleep(0.2)
    pytest.fail("the gateway did not get a batch confirmed by the broker within 30 s")


def collect(queue: str, acked: set[str], seconds: float) -> list[str]:
    """Consumes the queue until every acknowledged id arrived or `seconds` passed; returns all ids seen."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen += event_ids(take_messages(queue))
        if acked <= set(seen):
            break
        time.sleep(0.5)
    return seen


def report(title: str, sent: int, acked: set[str], seen: list[str], **extra) -> int:
    delivered = acked & set(seen)
    lost = len(acked - delivered)
    duplicated = len(seen) - len(set(seen))
    figures = ", ".join(f"{key} {value}" for key, value in extra.items())
    print(
        f"\n{title}: sent {sent} events, acknowledged {len(acked)}, delivered {len(delivered)}, lost {lost}, "
        f"duplicated {duplicated}" + (f", {figures}" if figures else "")
    )
    return lost


# --- the tests ----------------------------------------------------------------------------------------------------


def test_broker_killed_under_load_loses_no_acknowledged_event(tmp_path):
    topology = private_topology("spool", tmp_path)
    gateway = spool_gateway(tmp_path, topology, tmp_path / "spool", "gateway")
    acked: set[str] = set()
    counts = {"sent": 0, "spooled_batches": 0, "refused": 0}
    stop = threading.Event()

    def sender() -> None:
        channel, stub = gateway.stub()
        with channel:
            while not stop.is_set():
                ids, error, spooled = send(stub)
                counts["sent"] += len(ids)
                if error is None:
                    acked.update(ids)
                    counts["spooled_batches"] += spooled
                else:
                    counts["refused"] += 1

    thread = threading.Thread(target=sender, daemon=True)
    broker_down = False
    try:
        gateway.start()
        channel, stub = gateway.stub()
        with channel:
            first_ids = confirmed_batch(stub)
        acked.update(first_ids)
        counts["sent"] += len(first_ids)
        thread.start()
        time.sleep(3)
        stack("kill-rabbit")
        broker_down = True
        time.sleep(10)
        stack("start-rabbit")
        broker_down = False
        time.sleep(3)
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the sender did not stop"
        wait_until(lambda: gateway.metric("eventgrpc_spool_bytes") == 0, 60, "the spool drained to the broker")
        seen = collect(topology.queue, acked, 60)
        lost = report(
            "broker kill -9 under load", counts["sent"], acked, seen, spooled_batches=counts["spooled_batches"],
            refused_batches=counts["refused"],
            replayed_messages=int(gateway.metric("eventgrpc_spool_replayed_messages_total")),
        )
        assert counts["spooled_batches"] > 0, "the outage never reached the spool: the test proved nothing"
        assert lost == 0
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=30)
        if broker_down:
            stack("start-rabbit")
        code = gateway.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"


def test_gateway_killed_with_a_full_spool_replays_it_after_restart(tmp_path):
    topology = private_topology("spool", tmp_path)
    spool = tmp_path / "spool"
    first = spool_gateway(tmp_path, topology, spool, "gateway-1")
    second = spool_gateway(tmp_path, topology, spool, "gateway-2")
    acked: set[str] = set()
    broker_down = False
    batches = 60
    try:
        first.start()
        channel, stub = first.stub()
        with channel:
            confirmed_batch(stub)
            take_messages(topology.queue)
            stack("kill-rabbit")
            broker_down = True
            for _ in range(batches):
                ids, error, spooled = send(stub)
                assert error is None and spooled, f"batch answered {error}, spooled={spooled}"
                acked.update(ids)
        segments = sorted(spool.glob("segment-*.wal"))
        assert len(segments) > 1, f"expected several segments, found {segments}"
        first.kill()
        with open(segments[-1], "ab") as torn:
            torn.write(b"\x40\x00\x00\x00\x12")  # a record header cut short, as a crash mid-write leaves it
        stack("start-rabbit")
        broker_down = False
        second.start()
        wait_until(lambda: not list(spool.glob("segment-*.wal")), 60, "the restarted gateway replayed the spool")
        seen = collect(topology.queue, acked, 60)
        lost = report(
            "gateway kill -9 with a spool", len(acked), acked, seen, spooled_batches=batches,
            segments=len(segments), tails_cut=int(second.metric("eventgrpc_spool_tails_cut_total")),
        )
        assert second.metric("eventgrpc_spool_tails_cut_total") == 1
        assert lost == 0
    finally:
        if broker_down:
            stack("start-rabbit")
        first.kill()
        code = second.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {second.log}"


def test_unroutable_batch_is_refused_not_spooled(tmp_path):
    topology = private_topology("spool", tmp_path, binding="only.this.type")
    gateway = spool_gateway(tmp_path, topology, tmp_path / "spool", "gateway")
    try:
        gateway.start()
        channel, stub = gateway.stub()
        with channel:
            deadline = time.monotonic() + 30
            while send(stub)[2]:  # spooled until the publisher connects (the replayer then gets them returned)
                assert time.monotonic() < deadline, "the publisher did not connect within 30 s"
                time.sleep(0.1)
            spooled_before = gateway.metric("eventgrpc_gateway_batches_spooled_total")
            ids, error, spooled = send(stub)
        unroutable = gateway.metric("eventgrpc_gateway_batches_unroutable_total")
        print(f"\nunroutable batch: answered {error}, unroutable counted {int(unroutable)}")
        assert error == "UNAVAILABLE"
        assert unroutable >= 1
        assert gateway.metric("eventgrpc_gateway_batches_spooled_total") == spooled_before
    finally:
        code = gateway.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"


def test_unconfirmed_batches_are_spooled_after_the_confirm_timeout(tmp_path):
    """A frozen broker (SIGSTOP) keeps the connection open but confirms nothing: calls must not hang."""
    topology = private_topology("spool", tmp_path)
    gateway = spool_gateway(tmp_path, topology, tmp_path / "spool", "gateway")
    gateway.env["PUBLISH_CONFIRM_TIMEOUT"] = "1s"
    # The confirm timeout path itself: a stall (test_broker_stall.py) would otherwise be declared first.
    gateway.env["PUBLISH_STALL_TIMEOUT"] = "5s"
    acked: set[str] = set()
    frozen = None
    try:
        gateway.start()
        channel, stub = gateway.stub()
        with channel:
            acked.update(confirmed_batch(stub))
            frozen = broker_pid()
            os.kill(frozen, signal.SIGSTOP)
            for _ in range(3):
                ids, error, spooled = send(stub)
                assert error is None and spooled, f"batch answered {error}, spooled={spooled}"
                acked.update(ids)
            os.kill(frozen, signal.SIGCONT)
            frozen = None
        wait_until(lambda: gateway.metric("eventgrpc_spool_bytes") == 0, 60, "the spool drained to the broker")
        seen = collect(topology.queue, acked, 60)
        timeouts = int(gateway.metric("eventgrpc_gateway_confirm_timeouts_total"))
        lost = report("broker frozen (SIGSTOP)", len(acked), acked, seen, confirm_timeouts=timeouts)
        assert timeouts >= 3
        assert lost == 0
    finally:
        if frozen is not None:
            os.kill(frozen, signal.SIGCONT)
        code = gateway.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"

"""A stalled broker is an outage at once (promise P1 without the wait): with RabbitMQ frozen (SIGSTOP to its
beam.smp: connections stay open, nothing is read or confirmed), the gateway declares the broker stalled within
PUBLISH_STALL_TIMEOUT (1 s) and answers SUCCESS from its spool instead of letting each batch wait out its confirm
timeout; after SIGCONT the spool drains and nothing acknowledged is lost. A SIGTERM during the freeze still exits 0
within DRAIN_TIMEOUT, and a gateway restarted on the same spool delivers everything once the broker thaws. A memory
alarm (the broker blocks publishers with `connection.blocked`) is a stall too, and publishing resumes when it clears.

Each test runs its own gateway (EVENTGRPC_BIN) on a private exchange and queue that nothing consumes, and counts the
acknowledged event ids in that queue (RabbitMQ management API). The broker is always thawed in a `finally`.

Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_PORT, RABBIT_MANAGEMENT_PORT (set by scripts/test.sh).
"""

import os
import signal
import threading
import time
import uuid

import grpc
import pytest

from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.rabbitmq import event_ids, take_messages
from eventgrpc_testkit.stack import broker_pid, stack
from eventgrpc_testkit.timing import now_ms, wait_until
from eventgrpc_testkit.topology import PrivateTopology, private_topology

pytestmark = pytest.mark.skipif(not os.environ.get("STACK_DIR"), reason="needs STACK_DIR (run through scripts/test.sh)")

CLIENTS = 8
EVENTS_PER_CALL = 5
BEFORE_FREEZE_S = 5.0
FREEZE_S = 25.0
# What the gateway may add to its resident memory while the broker is frozen under the load (it measured about
# 10 MiB here; an unbounded queue or publisher backlog grows by hundreds).
RSS_GROWTH_LIMIT_KIB = 64 * 1024


class Load:
    """CLIENTS threads, each with its own channel, sending batches of EVENTS_PER_CALL events back to back; every
    call is recorded as (start, end, error code name or None, spooled, ids), times from time.monotonic()."""

    def __init__(self, gateway: Gateway):
        self.gateway = gateway
        self.calls: list[tuple[float, float, str | None, bool, list[str]]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.send_until_stopped, daemon=True) for _ in range(CLIENTS)]

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def send_until_stopped(self) -> None:
        channel = grpc.insecure_channel(self.gateway.address, options=[("grpc.use_local_subchannel_pool", 1)])
        stub = event_pb2_grpc.EventServiceStub(channel)
        with channel:
            while not self.stop.is_set():
                ids = [f"stall-{uuid.uuid4()}" for _ in range(EVENTS_PER_CALL)]
                now = str(now_ms())
                batch = event_pb2.Events(header=event_pb2.Header(deviceId="stall-device"),
                                         events=[event_pb2.Event(id=i, timestamp=now, type="stall.event") for i in ids])
                started = time.monotonic()
                try:
                    response = stub.dispatch(batch, timeout=10)
                    error, spooled = None, "spooled" in response.message
                    assert response.status == "SUCCESS", response
                except grpc.RpcError as failure:
                    error, spooled = failure.code().name, False
                    time.sleep(0.05)
                with self.lock:
                    self.calls.append((started, time.monotonic(), error, spooled, ids))

    def acknowledged(self) -> set[str]:
        with self.lock:
            return {i for _, _, error, _, ids in self.calls if error is None for i in ids}

    def window(self, start: float, end: float) -> list[tuple[float, float, str | None, bool, list[str]]]:
        """The calls that started in [start, end)."""
        with self.lock:
            return [call for call in self.calls if start <= call[0] < end]


def stall_gateway(directory, topology: PrivateTopology, name: str, **env) -> Gateway:
    return Gateway(name, log_dir=directory, GRPC_HOST="127.0.0.1", TOPOLOGY_FILE=topology.path,
                   SPOOL_DIR=directory / "spool", **env)


def wait_connected(gateway: Gateway) -> None:
    wait_until(lambda: gateway.metric("eventgrpc_gateway_broker_connected") == 1, 30, "the gateway connected")


def rss_kib(gateway: Gateway) -> int:
    with open(f"/proc/{gateway.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc status")


def delivered_ids(queue: str, acked: set[str], seconds: float) -> set[str]:
    """Takes the queue's messages until every acknowledged id arrived or `seconds` passed."""
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.update(event_ids(take_messages(queue)))
        if acked <= seen:
            break
        time.sleep(0.5)
    return seen


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def test_a_frozen_broker_is_answered_from_the_spool_at_once(tmp_path):
    topology = private_topology("stall", tmp_path)
    gateway = stall_gateway(tmp_path, topology, "gateway")
    frozen = None
    try:
        gateway.start()
        wait_connected(gateway)
        with Load(gateway) as load:
            started = time.monotonic()
            time.sleep(BEFORE_FREEZE_S)
            rss_before = rss_kib(gateway)
            frozen = broker_pid()
            froze_at = time.monotonic()
            os.kill(frozen, signal.SIGSTOP)
            rss_peak = rss_before
            while time.monotonic() < froze_at + FREEZE_S:
                time.sleep(0.5)
                rss_peak = max(rss_peak, rss_kib(gateway))
            os.kill(frozen, signal.SIGCONT)
            frozen = None
            thawed_at = time.monotonic()
            time.sleep(3)
        wait_until(lambda: gateway.metric("eventgrpc_spool_bytes") == 0, 90, "the spool drained to the broker")
        stall_gauge_after = gateway.metric("eventgrpc_publisher_stalled")
        acked = load.acknowledged()
        delivered = delivered_ids(topology.queue, acked, 90)
        lost = acked - delivered

        before = [call for call in load.window(started, froze_at) if call[2] is None]
        during = load.window(froze_at, thawed_at)
        during_ok = [call for call in during if call[2] is None and call[1] <= thawed_at]
        rate_before = len(before) / (froze_at - started)
        rate_during = len(during_ok) / (thawed_at - froze_at)
        latency_p99 = p99([end - start for start, end, _, _, _ in during])
        failures = sorted({call[2] for call in during if call[2] is not None})
        stalls = gateway.metric("eventgrpc_publisher_stalls_total")
        late = gateway.metric("eventgrpc_publisher_late_confirmed_messages_total")
        print(f"\nbroker frozen {FREEZE_S:.0f} s under {CLIENTS} clients: {rate_before:.0f} calls/s before, "
              f"{rate_during:.0f} calls/s during ({len(during_ok)} of {len(during)} answered SUCCESS, "
              f"{sum(call[3] for call in during_ok)} from the spool, failures {failures}), p99 {latency_p99:.3f} s; "
              f"acknowledged {len(acked)} events, lost {len(lost)}; stalls {stalls:.0f}, late-confirmed "
              f"duplicates {late:.0f} messages; RSS {rss_before // 1024} MiB before, peak "
              f"{rss_peak // 1024} MiB during")
        assert stalls >= 1, "the freeze was never declared a stall"
        assert not lost, f"{len(lost)} acknowledged events are missing from the broker"
        assert rate_during >= rate_before / 2, "the spool must answer at least half the rate before the freeze"
        assert latency_p99 <= 2.0
        assert rss_peak - rss_before <= RSS_GROWTH_LIMIT_KIB
        assert stall_gauge_after == 0, "the stalled gauge falls back once the broker confirms again"
    finally:
        if frozen is not None:
            os.kill(frozen, signal.SIGCONT)
        code = gateway.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"


def test_sigterm_during_a_frozen_broker_exits_zero_and_loses_nothing(tmp_path):
    drain_timeout_s = 10
    topology = private_topology("stall", tmp_path)
    first = stall_gateway(tmp_path, topology, "gateway-1", DRAIN_TIMEOUT=f"{drain_timeout_s}s", SHUTDOWN_GRACE="1s")
    second = stall_gateway(tmp_path, topology, "gateway-2")
    frozen = None
    try:
        first.start()
        wait_connected(first)
        with Load(first) as load:
            time.sleep(2)
            frozen = broker_pid()
            os.kill(frozen, signal.SIGSTOP)
            time.sleep(3)
            signalled = time.monotonic()
            first.signal(signal.SIGTERM)
            code = first.wait(timeout=drain_timeout_s + 20)
            took = time.monotonic() - signalled
        os.kill(frozen, signal.SIGCONT)
        frozen = None
        acked = load.acknowledged()
        spooled = sum(1 for call in load.calls if call[2] is None and call[3])
        second.start()
        wait_until(lambda: second.metric("eventgrpc_spool_bytes") == 0, 90, "the restarted gateway drained the spool")
        lost = acked - delivered_ids(topology.queue, acked, 90)
        print(f"\nSIGTERM during a frozen broker: exit {code} after {took:.2f} s (DRAIN_TIMEOUT {drain_timeout_s} s); "
              f"acknowledged {len(acked)} events ({spooled} calls from the spool), lost after restart {len(lost)}")
        assert code == 0, first.log_tail()
        assert took < drain_timeout_s
        assert spooled > 0, "the freeze never reached the spool: the test proved nothing"
        assert not lost, f"{len(lost)} acknowledged events are missing after the restart"
    finally:
        if frozen is not None:
            os.kill(frozen, signal.SIGCONT)
        first.kill()
        code = second.stop()
        topology.delete()
    assert code == 0, f"restarted gateway exit code {code}; see {second.log}"


def send_one(stub: event_pb2_grpc.EventServiceStub) -> tuple[list[str], float, bool]:
    """One batch that must be answered SUCCESS: its ids, its latency and whether it was spooled."""
    ids = [f"alarm-{uuid.uuid4()}" for _ in range(EVENTS_PER_CALL)]
    now = str(now_ms())
    batch = event_pb2.Events(header=event_pb2.Header(deviceId="alarm-device"),
                             events=[event_pb2.Event(id=i, timestamp=now, type="stall.event") for i in ids])
    started = time.monotonic()
    response = stub.dispatch(batch, timeout=10)
    assert response.status == "SUCCESS", response
    return ids, time.monotonic() - started, "spooled" in response.message


# The stack sets no memory watermark: RabbitMQ's default, which the alarm test restores.
DEFAULT_MEMORY_WATERMARK = "0.4"


def test_a_memory_alarm_is_a_stall_and_publishing_resumes_when_it_clears(tmp_path):
    topology = private_topology("stall", tmp_path)
    gateway = stall_gateway(tmp_path, topology, "gateway")
    alarm = False
    acked: set[str] = set()
    try:
        gateway.start()
        wait_connected(gateway)
        channel, stub = gateway.stub()
        with channel:
            ids, _, spooled = send_one(stub)
            acked.update(ids)
            assert not spooled, "the first batch should be confirmed by a healthy broker"
            stack("rabbitmqctl", "set_vm_memory_high_watermark", "0.0001", capture_output=True)
            alarm = True
            latencies, spooled_calls = [], 0
            for _ in range(20):
                ids, latency, spooled = send_one(stub)
                acked.update(ids)
                latencies.append(latency)
                spooled_calls += spooled
            stalled = gateway.metric("eventgrpc_publisher_stalled")
            stack("rabbitmqctl", "set_vm_memory_high_watermark", DEFAULT_MEMORY_WATERMARK, capture_output=True)
            alarm = False
            wait_until(lambda: gateway.metric("eventgrpc_publisher_stalled") == 0, 30, "the alarm cleared")
            deadline = time.monotonic() + 30
            while True:
                ids, _, spooled = send_one(stub)
                acked.update(ids)
                if not spooled:
                    break
                assert time.monotonic() < deadline, "publishing did not resume within 30 s of the alarm clearing"
                time.sleep(0.2)
        wait_until(lambda: gateway.metric("eventgrpc_spool_bytes") == 0, 60, "the spool drained to the broker")
        lost = acked - delivered_ids(topology.queue, acked, 60)
        print(f"\nmemory alarm: {spooled_calls} of 20 calls from the spool, slowest {max(latencies):.2f} s, "
              f"others at most {sorted(latencies)[-2]:.3f} s; stalled gauge {stalled:.0f}; lost {len(lost)}")
        assert spooled_calls == 20
        assert stalled == 1
        assert "broker blocked publishing" in gateway.log_text(), "connection.blocked never arrived"
        assert max(latencies) <= 2.0, "only the call in flight when the broker blocked waits, for a stall timeout"
        assert not lost
    finally:
        if alarm:
            stack("rabbitmqctl", "set_vm_memory_high_watermark", DEFAULT_MEMORY_WATERMARK, capture_output=True)
        code = gateway.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"

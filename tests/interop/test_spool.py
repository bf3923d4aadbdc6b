"""The gateway's local spool (promise P1, seed scenario 1), with the official grpcio client.

Each test starts its own gateway from EVENTGRPC_BIN with its own SPOOL_DIR and its own topology (a unique exchange
and queue, nothing consumes it), kills the broker with `scripts/stack.sh kill-rabbit "$STACK_DIR"`, and counts what
reaches the queue through the RabbitMQ management API (RABBIT_MANAGEMENT_PORT, guest/guest). The broker is
restarted in a `finally`; the queue and exchange are deleted afterwards.

Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_PORT, RABBIT_MANAGEMENT_PORT (set by scripts/test.sh).
"""

import base64
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import grpc
import pytest

import event_pb2
import event_pb2_grpc

ROOT = pathlib.Path(__file__).resolve().parents[2]
EVENTGRPC_BIN = os.environ.get("EVENTGRPC_BIN", str(ROOT / ".build" / "debug"))
STACK_DIR = os.environ.get("STACK_DIR")
RABBIT_PORT = os.environ.get("RABBIT_PORT", "5682")
MANAGEMENT = f"http://127.0.0.1:{os.environ.get('RABBIT_MANAGEMENT_PORT', '15682')}/api"
AUTH = "Basic " + base64.b64encode(b"guest:guest").decode()
EVENT_TYPE = "spool.test"

pytestmark = pytest.mark.skipif(not STACK_DIR, reason="needs STACK_DIR (run through scripts/test.sh)")


# --- the broker ---------------------------------------------------------------------------------------------------


def stack(command: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "stack.sh"), command, STACK_DIR], check=True, timeout=180)


def management(method: str, path: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{MANAGEMENT}{path}", data=data, method=method)
    request.add_header("Authorization", AUTH)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=20) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def take_event_ids(queue: str) -> list[str]:
    """Consumes every message in `queue` (ack, no requeue) and returns the event ids of their bodies."""
    ids = []
    path = f"/queues/%2F/{urllib.parse.quote(queue, safe='')}/get"
    while True:
        messages = management(
            "POST", path, {"count": 500, "ackmode": "ack_requeue_false", "encoding": "auto", "truncate": 50_000_000}
        )
        if not messages:
            return ids
        for message in messages:
            ids += [event["id"] for event in json.loads(message["payload"])["events"]]


def broker_pid() -> int:
    """The stack's beam.smp, checked the way scripts/stack.sh checks before signalling it."""
    pid = int(pathlib.Path(STACK_DIR, "rabbitmq", "beam.pid").read_text().strip())
    assert pathlib.Path(f"/proc/{pid}/comm").read_text().strip() == "beam.smp"
    environ = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert f"EVENTGRPC_STACK_DIR={os.path.realpath(STACK_DIR)}".encode() in environ
    return pid


def delete_topology(exchange: str, queue: str) -> None:
    for path in (f"/queues/%2F/{queue}", f"/queues/%2F/{queue}.dlq", f"/exchanges/%2F/{exchange}"):
        try:
            management("DELETE", path)
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise


# --- a gateway of our own -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gateway:
    """An IngestGateway process with its own ports, spool directory and topology."""

    def __init__(self, directory: pathlib.Path, topology: pathlib.Path, spool: pathlib.Path, name: str):
        self.port, self.admin_port = free_port(), free_port()
        self.log = directory / f"{name}.log"
        self.env = dict(
            os.environ,
            PORT=str(self.port),
            ADMIN_PORT=str(self.admin_port),
            GRPC_HOST="127.0.0.1",
            RABBIT_PORT=RABBIT_PORT,
            TOPOLOGY_FILE=str(topology),
            SPOOL_DIR=str(spool),
            SPOOL_SEGMENT_BYTES="65536",
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [f"{EVENTGRPC_BIN}/IngestGateway"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gateway exited with {self.process.returncode}; see {self.log}"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"gateway did not listen on {self.port} within 30 s; see {self.log}")

    def stop(self) -> int:
        """SIGTERM, wait; returns the exit code (kills and fails after 60 s)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            pytest.fail(f"gateway ignored SIGTERM for 60 s; see {self.log}")

    def kill9(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def metric(self, name: str) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split()[1])
        return 0.0

    def stub(self) -> tuple[grpc.Channel, event_pb2_grpc.EventServiceStub]:
        channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        return channel, event_pb2_grpc.EventServiceStub(channel)


def write_topology(directory: pathlib.Path, binding: str = "#") -> tuple[pathlib.Path, str, str]:
    tag = uuid.uuid4().hex[:12]
    exchange, queue = f"spooltest-{tag}", f"spooltest-{tag}.events"
    topology = {
        "exchange": {"name": exchange, "type": "topic"},
        "families": [
            {
                "name": f"spooltest{tag}",
                "database": f"spooltest_{tag}",
                "queues": [
                    {"name": queue, "bindings": [binding], "consumers": 1, "prefetch": 1, "sink": "direct", "table": "events"}
                ],
            }
        ],
    }
    path = directory / "topology.json"
    path.write_text(json.dumps(topology))
    return path, exchange, queue


def make_batch(size: int) -> event_pb2.Events:
    now = str(time.time_ns() // 1_000_000)
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


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out after {seconds} s waiting until {what}")


def collect(queue: str, acked: set[str], seconds: float) -> list[str]:
    """Consumes the queue until every acknowledged id arrived or `seconds` passed; returns all ids seen."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen += take_event_ids(queue)
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
    topology, exchange, queue = write_topology(tmp_path)
    gateway = Gateway(tmp_path, topology, tmp_path / "spool", "gateway")
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
        seen = collect(queue, acked, 60)
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
        delete_topology(exchange, queue)
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"


def test_gateway_killed_with_a_full_spool_replays_it_after_restart(tmp_path):
    topology, exchange, queue = write_topology(tmp_path)
    spool = tmp_path / "spool"
    first = Gateway(tmp_path, topology, spool, "gateway-1")
    second = Gateway(tmp_path, topology, spool, "gateway-2")
    acked: set[str] = set()
    broker_down = False
    batches = 60
    try:
        first.start()
        channel, stub = first.stub()
        with channel:
            confirmed_batch(stub)
            take_event_ids(queue)
            stack("kill-rabbit")
            broker_down = True
            for _ in range(batches):
                ids, error, spooled = send(stub)
                assert error is None and spooled, f"batch answered {error}, spooled={spooled}"
                acked.update(ids)
        segments = sorted(spool.glob("segment-*.wal"))
        assert len(segments) > 1, f"expected several segments, found {segments}"
        first.kill9()
        with open(segments[-1], "ab") as torn:
            torn.write(b"\x40\x00\x00\x00\x12")  # a record header cut short, as a crash mid-write leaves it
        stack("start-rabbit")
        broker_down = False
        second.start()
        wait_until(lambda: not list(spool.glob("segment-*.wal")), 60, "the restarted gateway replayed the spool")
        seen = collect(queue, acked, 60)
        lost = report(
            "gateway kill -9 with a spool", len(acked), acked, seen, spooled_batches=batches,
            segments=len(segments), tails_cut=int(second.metric("eventgrpc_spool_tails_cut_total")),
        )
        assert second.metric("eventgrpc_spool_tails_cut_total") == 1
        assert lost == 0
    finally:
        if broker_down:
            stack("start-rabbit")
        if first.process and first.process.poll() is None:
            first.kill9()
        code = second.stop()
        delete_topology(exchange, queue)
    assert code == 0, f"gateway exit code {code}; see {second.log}"


def test_unroutable_batch_is_refused_not_spooled(tmp_path):
    topology, exchange, queue = write_topology(tmp_path, binding="only.this.type")
    gateway = Gateway(tmp_path, topology, tmp_path / "spool", "gateway")
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
        delete_topology(exchange, queue)
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"


def test_unconfirmed_batches_are_spooled_after_the_confirm_timeout(tmp_path):
    """A frozen broker (SIGSTOP) keeps the connection open but confirms nothing: calls must not hang."""
    topology, exchange, queue = write_topology(tmp_path)
    gateway = Gateway(tmp_path, topology, tmp_path / "spool", "gateway")
    gateway.env["PUBLISH_CONFIRM_TIMEOUT"] = "1s"
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
        seen = collect(queue, acked, 60)
        timeouts = int(gateway.metric("eventgrpc_gateway_confirm_timeouts_total"))
        lost = report("broker frozen (SIGSTOP)", len(acked), acked, seen, confirm_timeouts=timeouts)
        assert timeouts >= 3
        assert lost == 0
    finally:
        if frozen is not None:
            os.kill(frozen, signal.SIGCONT)
        code = gateway.stop()
        delete_topology(exchange, queue)
    assert code == 0, f"gateway exit code {code}; see {gateway.log}"

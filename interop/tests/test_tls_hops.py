"""Every hop encrypted, end to end: grpcio over TLS to the gateway, a gateway speaking AMQPS and a worker speaking
AMQPS (with a client certificate) and HTTPS to ClickHouse, on the test stack's TLS listeners (scripts/stack.sh with
RABBIT_TLS_PORT and CLICKHOUSE_HTTPS_PORT; certificates from scripts/test-certs.sh). The plaintext ports of the same
servers are not given to the processes, so nothing can land unless both hops speak TLS. Then: a wrong CA on either
hop keeps the process from getting ready, with an error that names the variable to fix. `SinkWorker dlq` speaks
AMQPS as well.

Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_MANAGEMENT_PORT, CLICKHOUSE_PORT (see scripts/test.sh).
"""

import json
import pathlib
import shutil
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest

from eventgrpc_testkit import clickhouse, rabbitmq, tls
from eventgrpc_testkit.config import BIN
from eventgrpc_testkit.processes import Gateway, Worker, environment
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.timing import eventually, now_ms


@pytest.fixture
def topology():
    """A topology of its own: one family, one direct queue, its own database; removed afterwards."""
    uid = uuid.uuid4().hex[:10]
    directory = pathlib.Path(tempfile.mkdtemp(prefix="tls-"))
    spec = {"exchange": {"name": f"tls.{uid}", "type": "topic"},
            "families": [{"name": "secure", "database": f"tls_{uid}",
                          "queues": [{"name": f"tls.{uid}.app", "bindings": ["app.#"], "consumers": 1,
                                      "prefetch": 1, "sink": "direct", "table": "events"}]}]}
    path = directory / "topology.json"
    path.write_text(json.dumps(spec))
    yield {"path": path, "dir": directory, "spec": spec}
    queue = spec["families"][0]["queues"][0]["name"]
    for name in (queue, f"{queue}.retry", f"{queue}.dlq"):
        rabbitmq.delete_queue(name)
    rabbitmq.delete_exchange(spec["exchange"]["name"])
    clickhouse.drop_database(spec["families"][0]["database"])
    shutil.rmtree(directory, ignore_errors=True)


def stop_cleanly(*processes) -> None:
    for process in processes:
        code = process.stop(timeout=40)
        assert code == 0, f"{process.name} exited with {code}:\n{process.log_tail()}"


def tls_connections() -> list[dict]:
    """The broker's client connections that came in over TLS (management API)."""
    return [c for c in rabbitmq.management("GET", "/connections") or [] if c.get("ssl")]


def test_events_land_with_all_three_hops_encrypted(topology):
    family = topology["spec"]["families"][0]
    gateway = Gateway(log_dir=topology["dir"], TOPOLOGY_FILE=topology["path"], LOG_LEVEL="notice",
                      TLS_CERT_FILE=tls.cert("server.pem"), TLS_KEY_FILE=tls.cert("server.key"), **tls.rabbit_env())
    worker = Worker("secure", log_dir=topology["dir"], TOPOLOGY_FILE=topology["path"], LOG_LEVEL="notice",
                    **tls.rabbit_env(client_certificate=True), **tls.clickhouse_env())
    try:
        gateway.start()
        worker.start()
        assert eventually(lambda: worker.heartbeat(timeout=1)[0] == 200, 60), \
            f"worker not ready over TLS:\n{worker.log_tail()}"
        ids = [f"tls-{uuid.uuid4()}" for _ in range(20)]
        batch = event_pb2.Events(
            header=event_pb2.Header(sessionId="s-tls", deviceId="d-tls", os="linux"),
            events=[event_pb2.Event(id=i, type="app.open", timestamp=str(now_ms())) for i in ids])
        # The client hop: grpcio over TLS trusting the test CA (a plaintext channel would be refused).
        credentials = grpc.ssl_channel_credentials(root_certificates=pathlib.Path(tls.cert("ca.pem")).read_bytes())
        with grpc.secure_channel(f"localhost:{gateway.port}", credentials) as channel:
            stub = event_pb2_grpc.EventServiceStub(channel)
            assert stub.dispatch(batch, timeout=20).status == "SUCCESS"
        table = f"{family['database']}.events"
        assert clickhouse.wait_for_rows(table, ids, timeout_s=30) == len(ids), worker.log_tail()
        # The broker saw both processes over TLS: the worker with its client certificate, the gateway without
        # one (the gateway could otherwise have answered SUCCESS from its spool).
        def both_seen() -> bool:
            peers = [c.get("peer_cert_subject") or "" for c in tls_connections()]
            return any("eventgrpc-test-client" in p for p in peers) and any("test-client" not in p for p in peers)
        assert eventually(both_seen, 15), rabbitmq.management("GET", "/connections")
        assert gateway.metric("eventgrpc_spool_batches_appended_total") == 0, "the gateway spooled: broker hop down"
        # The dead-letter commands speak AMQPS too.
        listed = subprocess.run([str(BIN / "SinkWorker"), "dlq", "list", "--family", "secure"], capture_output=True,
                                text=True, timeout=30,
                                env=environment({"TOPOLOGY_FILE": topology["path"], **tls.rabbit_env()}))
        assert listed.returncode == 0 and f"{family['queues'][0]['name']}.dlq\t0" in listed.stdout, listed
        print(f"tls: {len(ids)} events landed over gRPC/TLS, AMQPS and HTTPS; {len(tls_connections())} TLS broker connections")
    finally:
        stop_cleanly(worker, gateway)


def test_a_wrong_ca_on_either_hop_keeps_the_process_unready_and_says_what_to_fix(topology):
    # The worker trusts another CA for ClickHouse: its schema step fails over and over with the advice.
    worker = Worker("secure", log_dir=topology["dir"], TOPOLOGY_FILE=topology["path"], LOG_LEVEL="notice",
                    **tls.rabbit_env(), **tls.clickhouse_env(ca="other-ca.pem"))
    # The gateway trusts another CA for the broker: it cannot publish, and says why.
    gateway = Gateway(log_dir=topology["dir"], TOPOLOGY_FILE=topology["path"], LOG_LEVEL="notice",
                      **tls.rabbit_env(ca="other-ca.pem"))
    try:
        worker.start()
        gateway.start()
        assert eventually(lambda: "CLICKHOUSE_CA_FILE" in worker.log_text(), 30), worker.log_tail()
        assert "certificate" in worker.log_text()
        assert eventually(lambda: "RABBIT_CA_FILE" in gateway.log_text(), 30), gateway.log_tail()
        time.sleep(0.5)
        assert worker.heartbeat(timeout=1)[0] != 200
    finally:
        stop_cleanly(worker, gateway)

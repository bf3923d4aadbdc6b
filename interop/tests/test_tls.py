"""gRPC over TLS on the gateway (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE), with the official grpcio client.

Each test starts gateways of its own with certificates from scripts/test-certs.sh (generated for this run, nothing
checked in); rows land through the workers scripts/test.sh started (the analytics family takes every event type).
"""

import os
import pathlib
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest

from eventgrpc_testkit import clickhouse
from eventgrpc_testkit.config import BIN, ROOT
from eventgrpc_testkit.net import http
from eventgrpc_testkit.processes import Gateway, environment
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc
from eventgrpc_testkit.timing import now_ms, wait_until

TABLE = "analytics.events"
CALL_TIMEOUT_S = 10


@pytest.fixture(scope="module")
def certs() -> pathlib.Path:
    directory = pathlib.Path(tempfile.mkdtemp(prefix="tls-certs-"))
    subprocess.run([str(ROOT / "scripts" / "test-certs.sh"), str(directory)], check=True, capture_output=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def gateways():
    """Gateways a test starts; all stopped (SIGTERM, exit 0 expected) when it ends."""
    started: list[Gateway] = []

    def start(**env) -> Gateway:
        gateway = Gateway(name=f"tls-gateway-{len(started)}", **env)
        started.append(gateway)
        return gateway.start()

    yield start
    for gateway in started:
        code = gateway.stop()
        assert code == 0, f"{gateway.name} exited with {code}:\n{gateway.log_tail()}"


def served_by(certs: pathlib.Path, name: str, **env) -> dict:
    return {"TLS_CERT_FILE": certs / f"{name}.pem", "TLS_KEY_FILE": certs / f"{name}.key", **env}


def secure_channel(gateway: Gateway, certs: pathlib.Path, ca: str = "ca", client: str | None = None) -> grpc.Channel:
    """A grpcio channel to localhost:PORT trusting `ca`.pem, with the client certificate `client` when given."""
    credentials = grpc.ssl_channel_credentials(
        root_certificates=(certs / f"{ca}.pem").read_bytes(),
        private_key=(certs / f"{client}.key").read_bytes() if client else None,
        certificate_chain=(certs / f"{client}.pem").read_bytes() if client else None,
    )
    return grpc.secure_channel(f"localhost:{gateway.port}", credentials)


def batch(count: int = 5) -> tuple[event_pb2.Events, list[str]]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    header = event_pb2.Header(sessionId=f"tls-{uuid.uuid4()}", deviceId="tls-device", appVersion="tls-interop")
    events = [event_pb2.Event(id=i, type="tls.interop", timestamp=str(now_ms())) for i in ids]
    return event_pb2.Events(header=header, events=events), ids


def dispatch(channel: grpc.Channel) -> tuple[event_pb2.Response, list[str]]:
    request, ids = batch()
    return event_pb2_grpc.EventServiceStub(channel).dispatch(request, timeout=CALL_TIMEOUT_S), ids


def refused(channel: grpc.Channel) -> grpc.RpcError:
    """The error of a dispatch that must fail (no connection can be made)."""
    with pytest.raises(grpc.RpcError) as raised:
        dispatch(channel)
    return raised.value


def handshakes(gateway: Gateway, result: str) -> float:
    """eventgrpc_grpc_tls_handshakes_total{result=...} from the gateway's /metrics."""
    status, body = http(f"http://127.0.0.1:{gateway.admin_port}/metrics")
    assert status == 200
    match = re.search(r'^eventgrpc_grpc_tls_handshakes_total\{result="%s"\} (\S+)$' % result, body, re.M)
    assert match, f"no handshake counter for {result}"
    return float(match.group(1))


def certificate_serial(certs: pathlib.Path, name: str) -> int:
    out = subprocess.run(["openssl", "x509", "-in", str(certs / f"{name}.pem"), "-noout", "-serial"],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip().split("=", 1)[1], 16)


def served_serial(gateway: Gateway, certs: pathlib.Path) -> int:
    """The serial of the certificate a new TLS connection (ALPN h2) to the gateway gets."""
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"
            return int(tls.getpeercert()["serialNumber"], 16)


def test_secure_channel_trusting_the_test_ca_gets_success_and_rows_land(certs, gateways):
    gateway = gateways(**served_by(certs, "server-chain", TLS_KEY_FILE=certs / "server.key"))
    with secure_channel(gateway, certs) as channel:
        response, ids = dispatch(channel)
    assert response.status == "SUCCESS", response
    assert clickhouse.wait_for_rows(TABLE, ids, timeout_s=30) == len(ids)
    assert handshakes(gateway, "ok") >= 1


def test_a_client_trusting_another_ca_refuses_the_server(certs, gateways):
    gateway = gateways(**served_by(certs, "server"))
    with secure_channel(gateway, certs, ca="other-ca") as channel:
        error = refused(channel)
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error
    assert "CERTIFICATE_VERIFY_FAILED" in error.details(), error


def test_an_expired_server_certificate_is_refused_by_the_client_and_warned_about(certs, gateways):
    gateway = gateways(**served_by(certs, "expired"))
    with secure_channel(gateway, certs) as channel:
        error = refused(channel)
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error
    assert "certificate has expired" in error.details(), error
    assert "EXPIRED" in gateway.log_text()


def test_a_plaintext_client_on_the_tls_port_is_refused_cleanly_and_counted(certs, gateways):
    gateway = gateways(**served_by(certs, "server"))
    with grpc.insecure_channel(gateway.address) as channel:
        error = refused(channel)
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error
    assert handshakes(gateway, "plaintext") >= 1
    assert '"tls.failure.kind":"plaintext"' in gateway.log_text()
    # A raw HTTP/2 client gets a GOAWAY saying why (INADEQUATE_SECURITY, the advice as debug data).
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        raw.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        answer = b""
        while chunk := raw.recv(4096):
            answer += chunk
    assert b"this port requires TLS" in answer
    # The port still serves TLS clients.
    with secure_channel(gateway, certs) as channel:
        assert dispatch(channel)[0].status == "SUCCESS"


def test_a_client_that_never_finishes_its_handshake_is_disconnected(certs, gateways):
    gateway = gateways(**served_by(certs, "server", TLS_HANDSHAKE_TIMEOUT="500ms"))
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as silent:
        started = time.monotonic()
        assert silent.recv(1) == b"", "the gateway must close a connection that sends nothing"
        assert time.monotonic() - started < 4
    wait_until(lambda: handshakes(gateway, "timeout") >= 1, 5, "the timeout counted")


def test_certificate_reload_new_connections_get_the_new_certificate_old_ones_keep_working(certs, gateways):
    live = pathlib.Path(tempfile.mkdtemp(prefix="tls-live-"))

    def install(name: str) -> None:
        # Replace both files by rename, as a certificate manager does.
        for suffix in ("pem", "key"):
            shutil.copy(certs / f"{name}.{suffix}", live / f"next.{suffix}")
            os.replace(live / f"next.{suffix}", live / f"served.{suffix}")

    install("server")
    gateway = gateways(TLS_CERT_FILE=live / "served.pem", TLS_KEY_FILE=live / "served.key")
    first, second = certificate_serial(certs, "server"), certificate_serial(certs, "server2")
    assert served_serial(gateway, certs) == first
    with secure_channel(gateway, certs) as old:
        assert dispatch(old)[0].status == "SUCCESS"
        install("server2")
        gateway.signal(signal.SIGHUP)
        wait_until(lambda: '"tls.cause":"SIGHUP"' in gateway.log_text(), 10, "the SIGHUP reload logged")
        assert served_serial(gateway, certs) == second
        opened = handshakes(gateway, "ok")
        assert dispatch(old)[0].status == "SUCCESS"
        assert handshakes(gateway, "ok") == opened, "the old channel must keep its connection, not reconnect"
        # A changed file is enough (no signal): the next handshake loads it.
        install("server")
        assert served_serial(gateway, certs) == first
        assert dispatch(old)[0].status == "SUCCESS"
    assert gateway.running(), "SIGHUP must not stop the gateway"
    shutil.rmtree(live, ignore_errors=True)


def test_a_failed_reload_keeps_the_previous_certificate(certs, gateways):
    live = pathlib.Path(tempfile.mkdtemp(prefix="tls-live-"))
    shutil.copy(certs / "server.pem", live / "served.pem")
    shutil.copy(certs / "server.key", live / "served.key")
    gateway = gateways(TLS_CERT_FILE=live / "served.pem", TLS_KEY_FILE=live / "served.key")
    # A certificate whose key has not been written yet: the pair does not match.
    shutil.copy(certs / "server2.pem", live / "next.pem")
    os.replace(live / "next.pem", live / "served.pem")
    gateway.signal(signal.SIGHUP)
    wait_until(lambda: "TLS certificate reload failed" in gateway.log_text(), 10, "the failed reload logged")
    assert served_serial(gateway, certs) == certificate_serial(certs, "server")
    with secure_channel(gateway, certs) as channel:
        assert dispatch(channel)[0].status == "SUCCESS"
    status, body = http(f"http://127.0.0.1:{gateway.admin_port}/metrics")
    assert 'eventgrpc_grpc_tls_certificate_reloads_total{result="failed"}' in body
    assert not re.search(r'^eventgrpc_grpc_tls_certificate_reloads_total\{result="failed"\} 0$', body, re.M)
    # The key arrives: the next handshake sees the change and serves the new pair.
    shutil.copy(certs / "server2.key", live / "next.key")
    os.replace(live / "next.key", live / "served.key")
    assert served_serial(gateway, certs) == certificate_serial(certs, "server2")
    shutil.rmtree(live, ignore_errors=True)


def test_alpn_without_h2_is_refused_and_no_alpn_at_all_is_spoken_to_in_http2(certs, gateways):
    gateway = gateways(**served_by(certs, "server"))
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError, match="no application protocol"):
            context.wrap_socket(raw, server_hostname="localhost")
    assert handshakes(gateway, "no_h2") == 1
    plain_context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        with plain_context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() is None
            tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
            frame = tls.recv(9)
            assert len(frame) == 9 and frame[3] == 4, "the server's first frame must be SETTINGS (HTTP/2)"


def test_client_certificates_required_refuse_a_client_without_one_and_accept_one_with_it(certs, gateways):
    gateway = gateways(**served_by(certs, "server", TLS_CLIENT_CA_FILE=certs / "ca.pem"))
    with secure_channel(gateway, certs) as anonymous:
        error = refused(anonymous)
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error
    wait_until(lambda: handshakes(gateway, "client_certificate") >= 1, 5, "the refusal counted")
    with secure_channel(gateway, certs, client="client") as identified:
        response, ids = dispatch(identified)
    assert response.status == "SUCCESS", response


@pytest.mark.parametrize("files, expected", [
    ({"TLS_CERT_FILE": "server.pem", "TLS_KEY_FILE": "server2.key"}, "private key of the certificate"),
    ({"TLS_CERT_FILE": "missing.pem", "TLS_KEY_FILE": "server.key"}, "readable PEM file"),
    ({"TLS_CERT_FILE": "server.pem"}, "set together"),
])
def test_check_config_reports_a_bad_tls_setup_with_what_to_do(certs, files, expected):
    env = environment({name: certs / value for name, value in files.items()})
    result = subprocess.run([str(BIN / "IngestGateway"), "check-config"], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2, result
    assert expected in result.stderr, result.stderr

"""gRPC conformance of the gateway with the official grpcio client (grpc/grpc doc/PROTOCOL-HTTP2.md).

Runs against the gateway of `make test` (GATEWAY_ADDR, ADMIN_ADDR); the auth test starts its own gateway from
EVENTGRPC_BIN with AUTH_TOKENS_FILE on free ports (broker: RABBIT_PORT) and stops it, checking its exit code.
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid

import grpc
import pytest

from eventgrpc_testkit.config import ADMIN_ADDR, GATEWAY_ADDR
from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc, health_pb2, health_pb2_grpc
from eventgrpc_testkit.timing import now_ms

TIMEOUT_S = 10


def event(**fields) -> event_pb2.Event:
    values = {"id": str(uuid.uuid4()), "type": "interop.conformance", "timestamp": str(now_ms())}
    values.update(fields)
    return event_pb2.Event(**values)


def batch(events: list, device: str = "device-conformance") -> event_pb2.Events:
    return event_pb2.Events(header=event_pb2.Header(deviceId=device, sessionId=f"s-{uuid.uuid4()}"), events=events)


def rpc_error(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def test_ok_path_and_many_concurrent_streams(stub):
    futures = [stub.dispatch.future(batch([event()]), timeout=TIMEOUT_S) for _ in range(40)]
    replies = [future.result() for future in futures]
    assert all(reply.status == "SUCCESS" for reply in replies)
    print(f"concurrent calls on one channel: sent 40, acknowledged {len(replies)}")


@pytest.mark.parametrize(
    "events, device, expected",
    [
        ([event(), event(timestamp="yesterday")], "d", "events[1].timestamp"),
        ([event(), event(), event(timestamp="-5")], "d", "events[2]"),
        ([event()], "", "deviceId"),
        ([event() for _ in range(501)], "d", "501 events"),
    ],
    ids=["bad-timestamp", "negative-timestamp", "missing-device-id", "too-many-events"],
)
def test_invalid_batches_are_invalid_argument_naming_the_event(stub, events, device, expected):
    error = rpc_error(lambda: stub.dispatch(batch(events, device=device), timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert expected in error.details()


def test_large_message_split_across_many_data_frames_is_reassembled(stub):
    url = "https://example.invalid/" + "u" * 7000
    events = [event(currentURL=url) for _ in range(399)] + [event(currentURL=url, timestamp="late-bad")]
    message = batch(events)
    size = message.ByteSize()
    error = rpc_error(lambda: stub.dispatch(message, timeout=TIMEOUT_S))
    assert size > 2_500_000
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "events[399].timestamp" in error.details(), "the last event was decoded from the reassembled message"
    print(f"reassembled one message of {size} bytes")


def test_deadline_exceeded(channel):
    # A Watch never ends by itself, so its grpc-timeout is what ends it (a unary call can beat a tiny deadline).
    watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""), timeout=0.5)
    assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
    error = rpc_error(lambda: next(watch))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_five_mib_message_is_resource_exhausted_promptly_and_the_connection_stays_usable(stub):
    huge = batch([event(attributes=[event_pb2.Attribute(key="blob", stringValue="x" * (5 * 1024 * 1024))])])
    started = time.monotonic()
    error = rpc_error(lambda: stub.dispatch(huge, timeout=TIMEOUT_S))
    elapsed = time.monotonic() - started
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    print(f"5 MiB message refused in {elapsed:.3f} s")
    assert elapsed < 5
    assert stub.dispatch(batch([event()]), timeout=TIMEOUT_S).status == "SUCCESS"


def test_unknown_method_is_unimplemented(channel):
    call = channel.unary_unary("/event.EventService/nope")
    error = rpc_error(lambda: call(b"", timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


def test_gzip_request_is_accepted(stub):
    reply = stub.dispatch(batch([event(), event()]), timeout=TIMEOUT_S, compression=grpc.Compression.Gzip)
    assert reply.status == "SUCCESS"


def test_unsupported_encoding_is_unimplemented(channel):
    call = channel.unary_unary("/event.EventService/dispatch")
    error = rpc_error(lambda: call(b"", timeout=TIMEOUT_S, compression=grpc.Compression.Deflate))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


def admin_beat(value: str) -> None:
    request = urllib.request.Request(f"http://{ADMIN_ADDR}/heartbeat/?beat={value}", method="PUT")
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        assert response.status == 200


def test_health_check_and_watch_sees_not_serving(channel):
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT_S).status == 1
    error = rpc_error(lambda: health.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=30)
    try:
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        admin_beat("false")
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
        admin_beat("true")
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
    finally:
        watch.cancel()
        admin_beat("true")
    unknown = health.Watch(health_pb2.HealthCheckRequest(service="nope"), timeout=30)
    assert next(unknown).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
    unknown.cancel()


def test_wrong_content_type_is_http_415():
    with tempfile.NamedTemporaryFile() as body:
        body.write(b"{}")
        body.flush()
        result = subprocess.run(
            ["nghttp", "-v", "-H", "content-type: application/json", "-d", body.name,
             f"http://{GATEWAY_ADDR}/event.EventService/dispatch"],
            capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert ":status: 415" in result.stdout, result.stdout + result.stderr


def test_bearer_auth_on_dispatch_only(tmp_path: pathlib.Path):
    if not os.environ.get("EVENTGRPC_BIN"):
        pytest.fail("EVENTGRPC_BIN is not set: run through make test")
    tokens = tmp_path / "tokens"
    tokens.write_text("# interop\ntoken-one\ntoken-two\nmobile token-three\n")
    gateway = Gateway(log_dir=tmp_path, AUTH_TOKENS_FILE=tokens).start()
    try:
        with grpc.insecure_channel(gateway.address) as opened:
            grpc.channel_ready_future(opened).result(timeout=TIMEOUT_S)
            stub = event_pb2_grpc.EventServiceStub(opened)
            for metadata in [None, [("authorization", "Bearer wrong")], [("authorization", "token-one")]]:
                error = rpc_error(lambda: stub.dispatch(batch([event()]), timeout=TIMEOUT_S, metadata=metadata))
                assert error.code() == grpc.StatusCode.UNAUTHENTICATED
            reply = stub.dispatch(batch([event()]), timeout=TIMEOUT_S, metadata=[("authorization", "Bearer token-two")])
            assert reply.status == "SUCCESS"
            # A named client's bad batch: logged with its name and address, never its token.
            error = rpc_error(lambda: stub.dispatch(batch([event(timestamp="late-bad")]), timeout=TIMEOUT_S,
                                                    metadata=[("authorization", "Bearer token-three")]))
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
            health = health_pb2_grpc.HealthStub(opened)
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT_S).status == 1
            # SIGTERM with a Watch open: NOT_SERVING, then the call ends UNAVAILABLE and the process exits 0.
            watch = health.Watch(health_pb2.HealthCheckRequest(), timeout=30)
            assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            gateway.signal(signal.SIGTERM)
            assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
            error = rpc_error(lambda: next(watch))
            assert error.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        code = gateway.stop(timeout=30)
    text = gateway.log_text()
    assert all(token not in text for token in ["token-one", "token-two", "token-three"]), "tokens are never logged"
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    rejected = [line for line in lines if line.get("msg") == "batch rejected"]
    starting = lines[0]
    assert starting["msg"] == "starting" and starting["auth.enabled"] is True, starting
    assert starting["config.AUTH_TOKENS_FILE"] == str(tokens) and isinstance(starting["config.ADMIN_PORT"], int)
    by_status = {}
    for line in rejected:
        assert re.fullmatch(r"127\.0\.0\.1:\d+", line["client.peer"]), line
        by_status.setdefault(line["grpc.status"], []).append(line["client.identity"])
    # No token, a wrong one, one without "Bearer": fingerprints of what was presented (never the value).
    assert len(by_status["UNAUTHENTICATED"]) == 3 and by_status["UNAUTHENTICATED"][0] == "none", by_status
    assert all(re.fullmatch(r"token-[0-9a-f]{8}", name) for name in by_status["UNAUTHENTICATED"][1:]), by_status
    assert by_status["INVALID_ARGUMENT"] == ["mobile"], by_status
    assert code == 0, text[-2000:]

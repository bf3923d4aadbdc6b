"""Promise P9 at the edge, against a gateway process of its own (EVENTGRPC_BIN, free ports, no broker needed: an
unreachable RABBIT_PORT): a client cannot make the gateway hold memory or timers by

- sending `grpc-timeout: 99999999H` on every call (each call's timer ends with the call: RSS stays flat over 100,000
  calls and no timer stays armed),
- sending 4 MiB bodies without a valid token (refused on HEADERS: nothing of the bodies is buffered),
- resetting or dropping its streams right after full 4 MiB requests (the bytes stay counted in
  MAX_BUFFERED_REQUEST_BYTES until the handler is done with them: RSS stays under the budget above the baseline),
- trickling header bytes on many admin connections (slow-loris: /heartbeat/ still answers at once, and the trickling
  connections are cut at the admin request deadline),
- running the process out of descriptors with admin connections (the failed accepts are counted and logged, the
  process stays up and answers again once descriptors are free).

Each test prints the figures it measured.
"""

import pathlib
import socket
import subprocess
import threading
import time

import grpc

from eventgrpc_testkit.net import free_port
from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2
from eventgrpc_testkit.timing import now_ms

MIB = 1024 * 1024
DISPATCH = "/event.EventService/dispatch"


def status_kib(gateway: Gateway, field: str) -> int:
    with open(f"/proc/{gateway.process.pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc status")


def sample(gateway: Gateway, name_and_labels: str) -> float:
    """One sample of /metrics by its full name with labels (`name{label="value"}`), 0 when absent."""
    from eventgrpc_testkit.net import http
    status, body = http(f"http://127.0.0.1:{gateway.admin_port}/metrics", timeout=5)
    assert status == 200
    for line in body.splitlines():
        if line.startswith(name_and_labels + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def offline_gateway(tmp_path: pathlib.Path, **env) -> Gateway:
    """A gateway whose broker is unreachable (batches would go to its spool): these tests need no broker."""
    return Gateway(log_dir=tmp_path, RABBIT_PORT=free_port(), **env).start()


def four_mib_batch() -> bytes:
    """A well-formed event.Events message just under 4 MiB made of two million unknown 2-byte fields, and no event:
    the gateway skips its way through all of them (slowly, and without allocating) before refusing the batch as
    empty, so a call holds its request for a while and nothing is published or spooled."""
    body = b"\x78\x01" * (2 * MIB - 64)  # field 15, varint 1: unknown to event.Events
    assert 4 * MIB - 512 * 1024 < len(body) < 4 * MIB, len(body)
    return body


def raw_dispatch(channel: grpc.Channel):
    """dispatch with bytes in and out (no serialization in the client's hot loop)."""
    return channel.unary_unary(DISPATCH)


def channel_options() -> list:
    # A local subchannel pool gives each channel its own connection.
    return [("grpc.use_local_subchannel_pool", 1), ("grpc.max_send_message_length", 8 * MIB)]


def test_grpc_timeout_timers_end_with_their_calls(tmp_path: pathlib.Path):
    gateway = offline_gateway(tmp_path)
    try:
        body = tmp_path / "check.bin"
        body.write_bytes(b"\x00\x00\x00\x00\x00")  # an empty grpc.health.v1.HealthCheckRequest

        def load(calls: int) -> None:
            result = subprocess.run(
                ["h2load", "-n", str(calls), "-c", "4", "-m", "16", "-H", "grpc-timeout: 99999999H",
                 "-H", "content-type: application/grpc", "-H", "te: trailers", "-d", str(body),
                 f"http://{gateway.address}/grpc.health.v1.Health/Check"],
                capture_output=True, text=True, timeout=300, check=False)
            assert f"{calls} succeeded" in result.stdout, result.stdout + result.stderr

        ok = 'grpc_server_handled_total{grpc_code="OK",grpc_method="Check",grpc_service="grpc.health.v1.Health",' \
             'grpc_type="unary"}'
        load(20_000)  # warm-up: allocator arenas, the cooperative pool's threads
        before_kib = status_kib(gateway, "VmRSS")
        handled_before = sample(gateway, ok)
        load(100_000)
        after_kib = status_kib(gateway, "VmRSS")
        armed = sample(gateway, "eventgrpc_deadline_timers_armed")
        print(f"grpc-timeout 99999999H: RSS {before_kib} KiB before 100,000 calls, {after_kib} KiB after; "
              f"{armed:.0f} deadline timers armed")
        assert sample(gateway, ok) - handled_before == 100_000
        # A timer kept per call would cost ~390 bytes each: 38 MiB here.
        assert after_kib - before_kib < 4 * 1024, (before_kib, after_kib)
        assert armed == 0
    finally:
        assert gateway.stop(timeout=30) == 0, gateway.log_tail()


def test_unauthenticated_4mib_bodies_are_refused_without_being_buffered(tmp_path: pathlib.Path):
    tokens = tmp_path / "tokens"
    tokens.write_text("edge-client s3cret-token\n")
    body = four_mib_batch()
    gateway = offline_gateway(tmp_path, AUTH_TOKENS_FILE=tokens)
    most_buffered = 0.0
    sampling = True

    def watch_buffer() -> None:
        nonlocal most_buffered
        while sampling:
            most_buffered = max(most_buffered, sample(gateway, "eventgrpc_grpc_buffered_request_bytes"))
            time.sleep(0.005)

    def send(metadata) -> grpc.StatusCode:
        with grpc.insecure_channel(gateway.address, options=channel_options()) as channel:
            try:
                raw_dispatch(channel)(body, timeout=30, metadata=metadata)
            except grpc.RpcError as error:
                return error.code()
        return grpc.StatusCode.OK

    try:
        assert send(None) == grpc.StatusCode.UNAUTHENTICATED  # warm-up
        baseline_kib = status_kib(gateway, "VmRSS")
        sampler = threading.Thread(target=watch_buffer)
        sampler.start()
        codes: list[grpc.StatusCode] = []
        lock = threading.Lock()

        def client(index: int) -> None:
            metadata = [None, [("authorization", "Bearer guessed")], [("authorization", "s3cret-token")]][index % 3]
            for _ in range(3):
                code = send(metadata)
                with lock:
                    codes.append(code)

        clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=120)
        sampling = False
        sampler.join()
        peak_kib = status_kib(gateway, "VmHWM")
        refused = sample(gateway, 'eventgrpc_grpc_requests_refused_total{reason="unauthenticated"}')
        print(f"unauthenticated 4 MiB bodies: {len(codes)} calls, most bytes buffered {most_buffered:.0f}, "
              f"RSS {baseline_kib} KiB before, peak {peak_kib} KiB")
        assert codes == [grpc.StatusCode.UNAUTHENTICATED] * 24, codes
        assert refused == 25
        assert most_buffered == 0
        # Eight bodies buffered at once would be 32 MiB.
        assert peak_kib - baseline_kib < 8 * 1024, (baseline_kib, peak_kib)
    finally:
        sampling = False
        assert gateway.stop(timeout=30) == 0, gateway.log_tail()


def test_resets_and_disconnects_after_full_requests_keep_rss_under_the_budget(tmp_path: pathlib.Path):
    budget = 32 * MIB
    # One call decodes at a time (half a second each); the others wait at the admission gate (up to 3 s) holding
    # their request.
    body = four_mib_batch()
    gateway = offline_gateway(tmp_path, MAX_BUFFERED_REQUEST_BYTES=budget, MAX_CONCURRENT_DISPATCHES=1,
                              EVENT_ENQUEUE_TIMEOUT="3s")
    try:
        with grpc.insecure_channel(gateway.address, options=channel_options()) as channel:
            try:
                raw_dispatch(channel)(body, timeout=30)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
        baseline_kib = status_kib(gateway, "VmHWM")
        stop_at = time.monotonic() + 4
        sent = [0]
        lock = threading.Lock()

        def client(index: int) -> None:
            while time.monotonic() < stop_at:
                channel = grpc.insecure_channel(gateway.address, options=channel_options())
                call = raw_dispatch(channel).future(body, timeout=30)
                time.sleep(0.05)  # the 4 MiB are out on loopback by now
                if index % 2 == 0:
                    call.cancel()  # RST_STREAM(CANCEL)
                channel.close()  # the others just leave: the connection closes under the call
                with lock:
                    sent[0] += 1

        clients = [threading.Thread(target=client, args=(i,)) for i in range(32)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=60)
        peak_kib = status_kib(gateway, "VmHWM")
        # Everything comes back once the handlers are done.
        deadline = time.monotonic() + 10
        while sample(gateway, "eventgrpc_grpc_buffered_request_bytes") > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        buffered = sample(gateway, "eventgrpc_grpc_buffered_request_bytes")
        refused = sample(gateway, 'eventgrpc_grpc_requests_refused_total{reason="buffer_budget"}')
        print(f"resets and disconnects: {sent[0]} requests of 4 MiB from 32 connections, {refused:.0f} refused by "
              f"the budget; peak RSS {peak_kib} KiB against a baseline of {baseline_kib} KiB "
              f"(budget {budget // 1024} KiB)")
        assert buffered == 0
        assert refused > 0, "the budget never filled: the test did not attack it"
        # The budget, and one decoded batch beside it (the call past the gate).
        assert peak_kib - baseline_kib < budget // 1024 + 16 * 1024, (baseline_kib, peak_kib)
        with grpc.insecure_channel(gateway.address, options=channel_options()) as channel:
            try:
                raw_dispatch(channel)(body, timeout=30)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    finally:
        assert gateway.stop(timeout=30) == 0, gateway.log_tail()


def test_admin_slow_loris_does_not_delay_the_heartbeat(tmp_path: pathlib.Path):
    gateway = offline_gateway(tmp_path)
    lorises: list[socket.socket] = []
    try:
        started = time.monotonic()
        for _ in range(200):  # more than the 64 connections the admin server keeps
            loris = socket.create_connection(("127.0.0.1", gateway.admin_port))
            loris.sendall(b"GET /heart")
            lorises.append(loris)
        slowest = 0.0
        for _ in range(10):  # 1.5 s of trickling, a probe every 150 ms
            for loris in lorises:
                try:
                    loris.send(b"b")
                except OSError:
                    pass  # cut already (the oldest make room for new connections)
            asked = time.monotonic()
            status, _ = gateway.heartbeat(timeout=5)
            slowest = max(slowest, time.monotonic() - asked)
            assert status == 200
            time.sleep(0.15)
        # Every loris is closed by the 2 s request deadline, without an answer.
        for loris in lorises:
            loris.settimeout(5)
            try:
                assert loris.recv(1024) == b""
            except ConnectionResetError:
                pass
        cut_after = time.monotonic() - started
        print(f"admin slow-loris: 200 trickling connections, slowest heartbeat {slowest * 1000:.0f} ms, "
              f"all cut after {cut_after:.1f} s")
        assert slowest < 1.0
        assert cut_after < 6
    finally:
        for loris in lorises:
            loris.close()
        assert gateway.stop(timeout=30) == 0, gateway.log_tail()


def test_admin_accept_errors_are_not_fatal(tmp_path: pathlib.Path):
    """Out of descriptors (EMFILE): the admin server counts the failed accepts, pauses, keeps its open connections
    and answers again once descriptors are free; the process does not exit."""
    gateway = Gateway(log_dir=tmp_path, RABBIT_PORT=free_port())
    gateway.argv = ["prlimit", "--nofile=40:40", "--", *gateway.argv]  # about 14 in use when idle
    gateway.start()
    holders: list[socket.socket] = []
    try:
        for _ in range(60):  # more than the descriptors left: the last ones wait in the backlog
            holder = socket.create_connection(("127.0.0.1", gateway.admin_port))
            holder.sendall(b"GET /heart")
            holders.append(holder)
        time.sleep(0.5)
        assert gateway.running(), gateway.log_tail()
        for holder in holders:
            holder.close()
        holders.clear()
        deadline = time.monotonic() + 10
        status = 0
        while status != 200 and time.monotonic() < deadline:
            status, _ = gateway.heartbeat(timeout=2)
            time.sleep(0.1)
        errors = sample(gateway, "eventgrpc_admin_accept_errors_total")
        print(f"admin accept errors: {errors:.0f} failed accepts under a limit of 40 descriptors; heartbeat {status}")
        assert status == 200
        assert errors > 0, "the descriptor limit was never reached: the test did not attack it"
        assert "admin accept failed" in gateway.log_text()
    finally:
        for holder in holders:
            holder.close()
        assert gateway.stop(timeout=30) == 0, gateway.log_tail()

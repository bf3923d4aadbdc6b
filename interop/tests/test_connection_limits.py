"""P9 on the gRPC port: no client can take the edge down. The release gateway (EVENTGRPC_RELEASE_BIN) on event
loops: file-descriptor exhaustion (prlimit) is survived, 10,000 idle HTTP/2 connections cost little memory and no
thread each, MAX_CONNECTIONS refuses at accept, and trickling or zero-window clients are cut off and cannot hold
a SIGTERM drain.

Each test starts gateways of its own (on the stack's broker) and speaks raw HTTP/2 where a client must misbehave.
"""

import os
import re
import signal
import socket
import threading
import time

import grpc

from eventgrpc_testkit import h2raw
from eventgrpc_testkit.config import RELEASE_BIN
from eventgrpc_testkit.net import http
from eventgrpc_testkit.processes import Gateway
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc, health_pb2, health_pb2_grpc
from eventgrpc_testkit.timing import wait_until

HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def release_gateway(name: str, prefix: list[str] | None = None, **env) -> Gateway:
    gateway = Gateway(name=name, **env)
    gateway.argv = [*(prefix or []), str(RELEASE_BIN / "IngestGateway")]
    return gateway.start()


def samples(gateway: Gateway) -> dict[str, float]:
    """/metrics samples by full name with labels (`name{label="value"}`)."""
    status, body = http(f"http://127.0.0.1:{gateway.admin_port}/metrics", timeout=10)
    assert status == 200
    values = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def metric(gateway: Gateway, name: str) -> float:
    return samples(gateway).get(name, 0.0)


def health_ok(gateway: Gateway, timeout: float = 10) -> bool:
    with grpc.insecure_channel(gateway.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout,
                                                           wait_for_ready=True)
        return answer.status == health_pb2.HealthCheckResponse.SERVING


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def open_idle(address: str, count: int, hello: bytes = b"") -> list[socket.socket]:
    host, port = address.rsplit(":", 1)
    opened = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex((host, int(port)))
        opened.append(sock)
    if hello:
        for sock in opened:
            sock.setblocking(True)
            sock.settimeout(10)
            sock.sendall(hello)
    return opened


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def test_fd_exhaustion_is_survived_and_idle_connections_are_cut_at_the_preface_timeout():
    gateway = release_gateway("fd-limit", prefix=["prlimit", "--nofile=1024:1024"], PREFACE_TIMEOUT="2s")
    idle: list[socket.socket] = []
    try:
        assert health_ok(gateway), "serves before"
        idle = open_idle(gateway.address, 2000)  # plain TCP, never a byte: more than the gateway's descriptors
        # The admin port is left alone while descriptors run out (its own accept errors are not this test's).
        wait_until(lambda: "accept() failed" in gateway.log_text(), 20, "accept() failing with EMFILE")
        time.sleep(7)  # three rounds of the 2 s preface timeout: accepted, cut, the backlog accepted next
        assert gateway.running(), f"the gateway died:\n{gateway.log_tail()}"
        close_all(idle)
        idle = []
        time.sleep(1)
        wait_until(lambda: metric(gateway, "eventgrpc_grpc_connections_open") == 0, 20, "every connection gone")
        assert health_ok(gateway), "serves after"
        log = gateway.log_text()
        now = samples(gateway)
        emfile = now['eventgrpc_grpc_accept_errors_total{errno="emfile"}']
        cut = now['eventgrpc_grpc_connections_cut_total{reason="preface"}']
        warnings = log.count("accept() failed")
        print(f"fd-limit: emfile={emfile:.0f} cut_preface={cut:.0f} accept-warnings={warnings}")
        assert emfile > 0 and cut >= 1000
        assert warnings <= 10, "accept errors are logged rate-limited"
    finally:
        close_all(idle)
        code = gateway.stop()
    assert code == 0, gateway.log_tail()


def test_ten_thousand_idle_http2_connections_cost_little_memory_and_no_thread_each():
    gateway = release_gateway("idle-10k", MAX_CONNECTIONS="10000")
    pid = gateway.process.pid
    idle: list[socket.socket] = []
    try:
        assert health_ok(gateway)
        time.sleep(1)
        rss_before, threads_before = rss_kib(pid), threads(pid)
        idle = open_idle(gateway.address, 10_000, hello=h2raw.PREFACE + h2raw.settings())
        wait_until(lambda: metric(gateway, "eventgrpc_grpc_connections_open") == 10_000, 60, "10,000 open")
        extra = open_idle(gateway.address, 20)
        wait_until(lambda: metric(gateway, 'eventgrpc_grpc_connections_refused_total{reason="max_connections"}')
                   == 20, 60, "connections past MAX_CONNECTIONS refused at accept")
        close_all(extra)
        time.sleep(2.5)  # the limit check gives idle frame buffers back once a second
        rss_after, threads_after = rss_kib(pid), threads(pid)
        cost_mib = (rss_after - rss_before) / 1024
        print(f"idle-10k: rss {rss_before // 1024} -> {rss_after // 1024} MiB (+{cost_mib:.1f} MiB), "
              f"threads {threads_before} -> {threads_after}")
        assert cost_mib <= 64, f"10,000 idle HTTP/2 connections cost {cost_mib:.1f} MiB"
        assert threads_after <= threads_before + 2, "no thread per connection"
        close_all(idle)
        idle = []
        wait_until(lambda: metric(gateway, "eventgrpc_grpc_connections_open") == 0, 30, "every connection gone")
        assert health_ok(gateway)
    finally:
        close_all(idle)
        code = gateway.stop()
    assert code == 0, gateway.log_tail()


def trickler(address: str) -> socket.socket:
    """A client that completes its preface, then sends a HEADERS frame one byte at a time, slowly."""
    sock = h2raw.connect(address)
    sock.sendall(h2raw.PREFACE + h2raw.settings())
    frame = h2raw.grpc_request(1, HEALTH_CHECK)

    def trickle():
        for byte in frame:
            try:
                sock.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.4)

    threading.Thread(target=trickle, daemon=True).start()
    return sock


def zero_window(address: str) -> socket.socket:
    """A client that asks for a response with a flow-control window of 0 and never opens it."""
    sock = h2raw.connect(address)
    sock.sendall(h2raw.PREFACE + h2raw.settings(initial_window=0) + h2raw.grpc_request(1, HEALTH_CHECK))
    return sock


def test_trickling_and_zero_window_clients_are_cut_off_and_cannot_hold_the_drain():
    limits = {"FRAME_TIMEOUT": "2s", "SEND_TIMEOUT": "2s", "DRAIN_TIMEOUT": "20s", "SHUTDOWN_GRACE": "1s"}
    gateway = release_gateway("hostile-clients", **limits)
    try:
        slow, stuck = trickler(gateway.address), zero_window(gateway.address)
        assert h2raw.closed_by_peer(slow, 10), "the trickling client is cut off"
        assert h2raw.closed_by_peer(stuck, 10), "the zero-window client is cut off"
        assert metric(gateway, 'eventgrpc_grpc_connections_cut_total{reason="trickle"}') == 1
        assert metric(gateway, 'eventgrpc_grpc_connections_cut_total{reason="zero_window"}') == 1
        assert health_ok(gateway), "well-behaved clients are served meanwhile"
        # Again, and SIGTERM while both hold their connection: the drain ends on time anyway.
        slow, stuck = trickler(gateway.address), zero_window(gateway.address)
        time.sleep(0.5)
        started = time.monotonic()
        gateway.signal(signal.SIGTERM)
        code = gateway.wait(timeout=40)
        took = time.monotonic() - started
        print(f"hostile-clients: drain exit={code} after {took:.1f}s (DRAIN_TIMEOUT 20s)")
        assert code == 0, gateway.log_tail()
        assert took < 20
        slow.close()
        stuck.close()
    finally:
        gateway.stop()


def test_resets_and_disconnects_after_full_4_mib_requests_keep_memory_within_the_request_budget():
    # Two requests fit the budget at once; without it all 32 would be held (and decoded) at once.
    budget_mib = 8
    gateway = release_gateway("reset-4mib", MAX_BUFFERED_REQUEST_BYTES=f"{budget_mib}MiB")
    pid = gateway.process.pid
    try:
        assert health_ok(gateway)
        baseline_mib = rss_kib(pid) / 1024
        now = str(int(time.time() * 1000))
        url = "https://example.test/" + "x" * (8 * 1024 - 32)
        batch = event_pb2.Events(header=event_pb2.Header(deviceId="reset-4mib"),
                                 events=[event_pb2.Event(id=f"r-{i}", timestamp=now, type="reset.event",
                                                         currentURL=url) for i in range(500)])
        assert 3.5 * 2**20 < batch.ByteSize() < 4 * 2**20

        def hit_and_run(round_index: int, index: int) -> None:
            channel = grpc.insecure_channel(gateway.address, options=[("grpc.use_local_subchannel_pool", 1),
                                                                       ("grpc.max_send_message_length", 8 << 20)])
            call = event_pb2_grpc.EventServiceStub(channel).dispatch.future(batch, timeout=30)
            time.sleep(0.3 + 0.01 * index)  # the request is out whole; then reset (odd) or disconnect (even)
            if (round_index + index) % 2:
                call.cancel()
            channel.close()

        for round_index in range(3):
            senders = [threading.Thread(target=hit_and_run, args=(round_index, i)) for i in range(32)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
        wait_until(lambda: metric(gateway, "eventgrpc_grpc_streams_open") == 0, 30, "every stream closed")
        with open(f"/proc/{pid}/status") as status:
            peak_mib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
        growth = peak_mib - baseline_mib
        print(f"reset-4mib: baseline {baseline_mib:.0f} MiB, peak {peak_mib:.0f} MiB (+{growth:.0f} MiB; "
              f"budget {budget_mib} MiB, 96 requests of 4 MiB)")
        assert gateway.running()
        # Decoding a request holds about 10 times its bytes at its peak today (measured: +73 to +107 MiB for an
        # 8 MiB budget); with a budget that does not bind (1 GiB) the same run peaks at +1,092 MiB.
        assert growth <= 24 * budget_mib, "request memory stays within the budget (and its decoding)"
        assert health_ok(gateway)
    finally:
        code = gateway.stop()
    assert code == 0, gateway.log_tail()


def test_connections_past_their_age_get_goaway_and_clients_carry_on():
    gateway = release_gateway("max-age", MAX_CONNECTION_AGE="2s")
    try:
        with grpc.insecure_channel(gateway.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            deadline = time.monotonic() + 6
            calls = 0
            while time.monotonic() < deadline:
                answer = health.Check(health_pb2.HealthCheckRequest(), timeout=5, wait_for_ready=True)
                assert answer.status == health_pb2.HealthCheckResponse.SERVING
                calls += 1
                time.sleep(0.05)
        aged = metric(gateway, 'eventgrpc_grpc_connections_cut_total{reason="max_age"}')
        print(f"max-age: {calls} calls over 6 s on one channel, {aged:.0f} connections aged out")
        assert aged >= 2, "GOAWAY at 2 s (+-10 %): at least two connections aged out in 6 s"
    finally:
        code = gateway.stop()
    assert code == 0, gateway.log_tail()

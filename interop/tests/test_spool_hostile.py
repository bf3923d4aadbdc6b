"""The spool never strands an acknowledged record (issue 11, item 4), with the official grpcio client.

Each test spools batches with a gateway that cannot reach the broker (its RABBIT_PORT points at a closed port, so
the shared broker is never restarted), then attacks the spool and lets a second gateway on the same SPOOL_DIR
replay it to the real broker:
- one flipped byte in the middle of the oldest of three segments: every other record lands in ClickHouse through
  a worker; the damaged one is reported (log line, metric, `IngestGateway spool inspect`);
- a spool on a 16 MiB tmpfs that fills up: UNAVAILABLE answers, no crash, nothing acknowledged lost;
- a `reject-publish` max-length policy on the target queue during the replay: the replay does not loop, the
  refused messages are set aside, and `IngestGateway spool replay` delivers them once the policy is removed.

Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_PORT, RABBIT_MANAGEMENT_PORT, CLICKHOUSE_PORT (set by scripts/test.sh).
"""

import json
import pathlib
import re
import struct
import subprocess
import time
import urllib.error
import uuid

import grpc
import pytest

from eventgrpc_testkit.clickhouse import count_rows, drop_database, wait_for_rows
from eventgrpc_testkit.config import BIN
from eventgrpc_testkit.net import free_port, http
from eventgrpc_testkit.processes import Gateway, Worker, environment
from eventgrpc_testkit.protos import event_pb2
from eventgrpc_testkit.rabbitmq import event_ids, management, queue_depth, take_messages
from eventgrpc_testkit.timing import now_ms, wait_until
from eventgrpc_testkit.topology import PrivateTopology, private_topology
from test_spool import EVENT_TYPE, collect, pytestmark, report, send  # noqa: F401 (pytestmark: needs STACK_DIR)

UUID_ID = re.compile(rb'"id":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


def gateway_on(tmp_path: pathlib.Path, topology: PrivateTopology, spool: pathlib.Path, name: str, *,
               reachable: bool = True, **env) -> Gateway:
    """A gateway (not started) on `spool`; with `reachable=False` its broker port is closed, so it spools all."""
    if not reachable:
        env["RABBIT_PORT"] = free_port()
    return Gateway(name, log_dir=tmp_path, **{"GRPC_HOST": "127.0.0.1", "TOPOLOGY_FILE": topology.path,
                                              "SPOOL_DIR": spool, "SPOOL_SEGMENT_BYTES": "65536", **env})


def spool_batches(gateway: Gateway, count: int, size: int, url_bytes: int = 0) -> set[str]:
    """Sends `count` batches of `size` events that must all be answered SUCCESS from the spool; returns the ids."""
    acked: set[str] = set()
    channel, stub = gateway.stub()
    with channel:
        for _ in range(count):
            ids, error, spooled = send_batch(stub, size, url_bytes)
            assert error is None and spooled, f"batch answered {error}, spooled={spooled}"
            acked.update(ids)
    return acked


def send_batch(stub, size: int, url_bytes: int) -> tuple[list[str], str | None, bool]:
    if url_bytes == 0:
        return send(stub, size)
    now = str(now_ms())
    header = event_pb2.Header(sessionId=f"session-{uuid.uuid4()}", deviceId=f"device-{uuid.uuid4()}", userId=7)
    events = [event_pb2.Event(id=str(uuid.uuid4()), type=EVENT_TYPE, timestamp=now, currentURL="u" * url_bytes)
              for _ in range(size)]
    try:
        response = stub.dispatch(event_pb2.Events(header=header, events=events), timeout=10)
    except grpc.RpcError as error:
        return [event.id for event in events], error.code().name, False
    return [event.id for event in events], None, "spooled" in response.message


def records(path: pathlib.Path) -> list[tuple[int, int, bytes]]:
    """(start, end, payload) of each record of a healthy segment (length, CRC-32, payload; see SpoolRecord)."""
    data, offset, found = path.read_bytes(), 0, []
    while offset < len(data):
        (length,) = struct.unpack_from("<I", data, offset)
        found.append((offset, offset + 8 + length, data[offset + 8:offset + 8 + length]))
        offset += 8 + length
    return found


def labelled_metric(gateway: Gateway, name: str, labels: str) -> float:
    status, body = http(f"http://127.0.0.1:{gateway.admin_port}/metrics", timeout=5)
    assert status == 200
    for line in body.splitlines():
        if line.startswith(f"{name}{{{labels}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def delete_policy(path: str) -> None:
    """Deletes a RabbitMQ policy; one already deleted is fine."""
    try:
        management("DELETE", path)
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise


def spool_tool(*arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "IngestGateway"), "spool", *arguments], env=environment(env or {}),
                          capture_output=True, text=True, timeout=120)


def test_a_flipped_byte_in_the_oldest_segment_loses_only_its_record(tmp_path):
    topology = private_topology("damage", tmp_path)
    spool = tmp_path / "spool"
    first = gateway_on(tmp_path, topology, spool, "gateway-1", reachable=False)
    second = gateway_on(tmp_path, topology, spool, "gateway-2")
    worker = Worker(topology.family, log_dir=tmp_path, TOPOLOGY_FILE=topology.path, LOG_LEVEL="notice")
    try:
        first.start()
        acked = spool_batches(first, 24, 40)
        wait_until(lambda: first.metric("eventgrpc_spool_oldest_record_age_seconds") >= 1, 10, "the oldest record ages")
        first.kill()
        segments = sorted(spool.glob("segment-*.wal"))
        assert len(segments) >= 3, f"expected three segments or more, found {segments}"
        oldest = segments[0]
        middle = oldest.stat().st_size // 2
        start, end, payload = next(record for record in records(oldest) if record[0] <= middle < record[1])
        damaged = {match.decode() for match in UUID_ID.findall(payload)}
        assert damaged and damaged <= acked
        data = bytearray(oldest.read_bytes())
        data[middle] ^= 0x5A
        oldest.write_bytes(bytes(data))

        worker.start()
        second.start()
        wait_until(lambda: not list(spool.glob("segment-*.wal")), 60, "the second gateway replayed the spool")
        expected = sorted(acked - damaged)
        landed = wait_for_rows(topology.table, expected, timeout_s=60)
        lost = count_rows(topology.table, sorted(damaged))
        log = second.log_text()
        inspect = json.loads(spool_tool("inspect", "--dir", str(spool), "--output", "json").stdout)
        copies = [file for file in inspect["files"] if file["role"] == "damaged-copy"]
        print(f"\nflipped byte at {middle} of {oldest.name} (record {start}..{end}): {len(expected)} of "
              f"{len(acked)} events landed, {len(damaged)} damaged; copies {[c['path'] for c in copies]}")
        assert landed == len(expected), "every record but the damaged one lands"
        assert lost == 0
        assert second.metric("eventgrpc_spool_damaged_runs_total") == 1
        assert second.metric("eventgrpc_spool_oldest_record_age_seconds") == 0
        assert second.metric("eventgrpc_spool_damaged_bytes_total") >= end - middle
        assert "spool segment damaged; skipping to the next valid record" in log and oldest.name in log
        assert len(copies) == 1 and copies[0]["path"] == f"damaged/{oldest.name}"
        assert [d["offset"] for d in copies[0]["damage"]] == [start]
    finally:
        first.kill()
        code = second.stop()
        worker.stop()
        topology.delete()
        drop_database(topology.database)
    assert code == 0, f"gateway exit code {code}; see {second.log}"


def test_a_spool_on_a_full_16_mib_tmpfs_answers_unavailable_and_loses_nothing(tmp_path):
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    topology = private_topology("full", tmp_path)
    spool = mount / "spool"
    first = gateway_on(tmp_path, topology, spool, "gateway-1", reachable=False, SPOOL_SEGMENT_BYTES="1MiB")
    second = gateway_on(tmp_path, topology, spool, "gateway-2", SPOOL_SEGMENT_BYTES="1MiB")
    acked: set[str] = set()
    counts = {"sent": 0, "unavailable": 0, "other": 0}
    try:  # the tmpfs is unmounted whatever happens
        first.start()
        channel, stub = first.stub()
        with channel:
            deadline = time.monotonic() + 60
            while counts["unavailable"] < 20 and counts["other"] == 0 and time.monotonic() < deadline:
                ids, error, _ = send_batch(stub, 100, 1000)
                counts["sent"] += len(ids)
                if error is None:
                    acked.update(ids)
                elif error == "UNAVAILABLE":
                    counts["unavailable"] += 1
                else:
                    counts["other"] += 1
        assert first.running(), f"the gateway died on a full disk:\n{first.log_tail()}"
        refusals = first.metric("eventgrpc_gateway_spool_refusals_total")
        code_first = first.stop()
        second.start()
        wait_until(lambda: second.metric("eventgrpc_spool_bytes") == 0, 60, "the spool drained to the broker")
        seen = collect(topology.queue, acked, 60)
        lost = report("spool on a full 16 MiB tmpfs", counts["sent"], acked, seen, unavailable=counts["unavailable"],
                      other_errors=counts["other"], spool_refusals=int(refusals))
        assert counts["unavailable"] >= 20 and counts["other"] == 0
        assert len(acked) > 5_000, "the spool took batches until the disk was full"
        assert code_first == 0, f"gateway exit code {code_first}; see {first.log}"
        assert lost == 0
    finally:
        first.kill()
        code = second.stop()
        topology.delete()
        subprocess.run(["umount", str(mount)], check=False)
    assert code == 0, f"gateway exit code {code}; see {second.log}"


def test_a_reject_publish_queue_during_replay_sets_messages_aside_without_looping(tmp_path):
    topology = private_topology("reject", tmp_path)
    spool = tmp_path / "spool"
    first = gateway_on(tmp_path, topology, spool, "gateway-1", reachable=False)
    second = gateway_on(tmp_path, topology, spool, "gateway-2")
    policy = f"/policies/%2F/{topology.queue}"
    tool_env = {"TOPOLOGY_FILE": topology.path}
    try:
        first.start()
        acked = spool_batches(first, 30, 5)
        first.kill()
        management("PUT", policy, {"pattern": f"^{re.escape(topology.queue)}$", "apply-to": "queues",
                                   "definition": {"max-length": 10, "overflow": "reject-publish"}})
        second.start()
        wait_until(lambda: second.metric("eventgrpc_spool_bytes") == 0, 60, "the replay went past the refusals")
        set_aside = labelled_metric(second, "eventgrpc_spool_set_aside_messages_total", 'reason="refused"')
        failures = second.metric("eventgrpc_spool_replay_failures_total")
        replayed = second.metric("eventgrpc_spool_replayed_messages_total")
        files = sorted((spool / "set-aside").glob("refused-*.wal"))
        time.sleep(2)  # nothing more happens: no round is published again
        assert second.metric("eventgrpc_spool_replayed_messages_total") == replayed
        refused_again = spool_tool("replay", "--dir", str(spool), env=tool_env)
        inspect = spool_tool("inspect", "--dir", str(spool))
        delete_policy(policy)
        wait_until(lambda: queue_depth(topology.queue)["messages"] == 10, 30, "the queue holds its 10 messages")
        seen = event_ids(take_messages(topology.queue))
        replay = spool_tool("replay", "--dir", str(spool), env=tool_env)
        seen += collect(topology.queue, acked, 60)
        lost = report("reject-publish during replay", len(acked), acked, seen, set_aside=int(set_aside),
                      replay_failures=int(failures), tool_exit_codes=[refused_again.returncode, replay.returncode])
        print(replay.stdout.strip())
        # 10 fit in the queue; the others were refused (the 10 too, when the round's messages were published once
        # more one by one to learn which were refused: those are delivered twice, never lost).
        assert set_aside >= 20 and failures == 0
        assert files, "the refused messages are in SPOOL_DIR/set-aside"
        assert refused_again.returncode == 1, refused_again.stdout + refused_again.stderr
        assert f"{int(set_aside)} refused messages" in inspect.stdout, inspect.stdout
        assert replay.returncode == 0, replay.stdout + replay.stderr
        assert f"{int(set_aside)} messages confirmed, 0 refused again" in replay.stdout
        assert not list((spool / "set-aside").glob("refused-*.wal"))
        assert lost == 0
    finally:
        first.kill()
        delete_policy(policy)
        code = second.stop()
        topology.delete()
    assert code == 0, f"gateway exit code {code}; see {second.log}"

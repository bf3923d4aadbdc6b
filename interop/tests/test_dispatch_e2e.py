"""End to end with the official grpcio client: a batch acknowledged by the gateway lands in ClickHouse.

Needs a running stack (gateway, RabbitMQ, sink workers, ClickHouse). Environment (default):
GATEWAY_ADDR (127.0.0.1:8017), CLICKHOUSE_URL (http://127.0.0.1:8123), E2E_EVENTS (200),
E2E_TABLE (analytics.events).
"""

import os
import time
import re
import uuid

import grpc
import pytest

from eventgrpc_testkit import clickhouse
from eventgrpc_testkit.config import GATEWAY_ADDR
from eventgrpc_testkit.protos import event_pb2, event_pb2_grpc, health_pb2, health_pb2_grpc
from eventgrpc_testkit.timing import now_ms

E2E_EVENTS = int(os.environ.get("E2E_EVENTS", "200"))
TABLE = os.environ.get("E2E_TABLE", "analytics.events")
DISPATCH_TIMEOUT_S = 10
LAND_TIMEOUT_S = 30
ONE_DAY_MS = 86_400_000
UUID_RE = re.compile(r"^[0-9a-f-]{36}$")


def make_header() -> event_pb2.Header:
    return event_pb2.Header(
        sessionId=f"session-{uuid.uuid4()}",
        deviceId=f"device-{uuid.uuid4()}",
        userId=424242,
        appVersion="9.9.9-interop",
        os="linux",
    )


def make_event(event_type: str, timestamp_ms: int) -> event_pb2.Event:
    return event_pb2.Event(
        id=str(uuid.uuid4()),
        type=event_type,
        timestamp=str(timestamp_ms),
        currentURL="https://example.invalid/interop",
        attributes=[
            event_pb2.Attribute(key="screen", stringValue="home"),
            event_pb2.Attribute(key="attempt", intValue=3),
            event_pb2.Attribute(key="ratio", doubleValue=0.25),
            event_pb2.Attribute(key="first_run", boolValue=True),
        ],
    )


def dispatch(stub: event_pb2_grpc.EventServiceStub, batch: event_pb2.Events) -> event_pb2.Response:
    try:
        return stub.dispatch(batch, timeout=DISPATCH_TIMEOUT_S)
    except grpc.RpcError as error:
        pytest.fail(f"dispatch to {GATEWAY_ADDR} failed: {error.code()} {error.details()}")


def uuids(ids: list[str]) -> list[str]:
    assert all(UUID_RE.match(event_id) for event_id in ids), "ids are interpolated: they must be uuids"
    return ids


def id_list(ids: list[str]) -> str:
    return clickhouse.sql_strings(uuids(ids))


def wait_until_landed(ids: list[str]) -> int:
    """Polls until every id is in the table; returns the last count seen."""
    return clickhouse.wait_for_rows(TABLE, uuids(ids), timeout_s=LAND_TIMEOUT_S, interval_s=0.5)


def test_health_check_reports_serving(channel):
    health = health_pb2_grpc.HealthStub(channel)
    reply = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=DISPATCH_TIMEOUT_S)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_batch_lands_exactly_once(stub):
    timestamp = now_ms()
    events = [make_event("app.open" if i % 2 == 0 else "page.view", timestamp) for i in range(E2E_EVENTS)]
    sent_types = {event.id: event.type for event in events}
    batch = event_pb2.Events(header=make_header(), events=events)

    response = dispatch(stub, batch)
    assert response.status == "SUCCESS", f"gateway answered {response.status!r}: {response.message!r}"
    acknowledged = len(events)

    ids = list(sent_types)
    landed = wait_until_landed(ids)
    print(f"\ne2e: sent={len(events)} acknowledged={acknowledged} landed={landed} table={TABLE}")
    assert landed == len(events)

    rows = clickhouse.query(
        f"SELECT event_id, event_type FROM {TABLE} FINAL WHERE event_id IN ({id_list(ids)}) FORMAT TSV"
    ).splitlines()
    found = dict(row.split("\t") for row in rows)
    assert len(rows) == len(events), "an event id appears more than once after FINAL"
    assert set(found) == set(sent_types)
    mismatched = {event_id: (sent_types[event_id], found[event_id])
                  for event_id in sent_types if found[event_id] != sent_types[event_id]}
    assert not mismatched, f"event_type differs (sent, stored): {mismatched}"


def test_future_timestamp_is_clamped_and_kept(stub):
    sent_ms = now_ms() + ONE_DAY_MS
    event = make_event("app.open", sent_ms)
    before_ms = now_ms()
    response = dispatch(stub, event_pb2.Events(header=make_header(), events=[event]))
    after_ms = now_ms()
    assert response.status == "SUCCESS", f"gateway answered {response.status!r}: {response.message!r}"

    landed = wait_until_landed([event.id])
    print(f"\nclock skew: sent={sent_ms} acknowledged=1 landed={landed}")
    assert landed == 1

    row = clickhouse.query(
        "SELECT timestamp_corrected, original_timestamp_ms, timestamp_ms, toUnixTimestamp(timestamp) "
        f"FROM {TABLE} FINAL WHERE event_id IN ({id_list([event.id])}) FORMAT TSV"
    ).strip()
    corrected, original_ms, stored_ms, stored_s = (int(value) for value in row.split("\t"))
    print(f"clock skew: stored timestamp_ms={stored_ms} original_timestamp_ms={original_ms} corrected={corrected}")
    assert corrected == 1
    assert original_ms == sent_ms
    slack_ms = 3_000
    assert before_ms - slack_ms <= stored_ms <= after_ms + slack_ms
    assert abs(stored_s * 1000 - stored_ms) < 1000


def test_a_batch_sent_twice_without_ids_lands_once(stub):
    """Promise P3: a client that retries after a timeout sends the same batch again; events without ids get the
    same derived ids both times, so FINAL shows one row per event."""
    header = make_header()
    timestamp = now_ms()
    events = [event_pb2.Event(type="app.open", timestamp=str(timestamp), currentURL=f"/retry/{i % 3}")
              for i in range(20)]
    batch = event_pb2.Events(header=header, events=events)
    for attempt in range(2):
        response = dispatch(stub, batch)
        assert response.status == "SUCCESS", f"attempt {attempt}: {response.status!r}: {response.message!r}"

    session = clickhouse.sql_strings([header.sessionId])
    final_query = f"SELECT event_id FROM {TABLE} FINAL WHERE session_id IN ({session}) FORMAT TSV"
    final_ids: list[str] = []
    for _ in range(int(LAND_TIMEOUT_S / 0.5)):
        final_ids = clickhouse.query(final_query).split()
        if len(final_ids) >= len(events):
            break
        time.sleep(0.5)
    # Both deliveries were confirmed by the broker; give the second time to land before the last look.
    time.sleep(3)
    final_ids = clickhouse.query(final_query).split()
    raw = int(clickhouse.query(f"SELECT count() FROM {TABLE} WHERE session_id IN ({session})"))
    print(f"\nretry without ids: sent 2 x {len(events)}, rows {raw} (before merges), rows in FINAL {len(final_ids)}")
    assert len(final_ids) == len(events) == len(set(final_ids)), "a retried batch must collapse to one row per event"
    assert all(UUID_RE.match(event_id) for event_id in final_ids)


HEADER_COLUMNS = {  # proto field -> column: every one of the 20 header fields has its own
    "sessionId": "session_id", "bbDeviceId": "bb_device_id", "userId": "user_id", "deviceId": "device_id",
    "androidAdvertisingId": "android_advertising_id", "clientId": "client_id", "channel": "channel", "os": "os",
    "clientType": "client_type", "appLanguage": "app_language", "appVersion": "app_version",
    "appVersionCode": "app_version_code", "currentURL": "header_current_url", "merchantId": "merchant_id",
    "utmReferrer": "utm_referrer", "utmPlatform": "utm_platform", "utmSource": "utm_source",
    "utmMedium": "utm_medium", "utmCampaign": "utm_campaign", "ppId": "pp_id",
}


def test_every_header_field_is_stored(stub):
    unique = uuid.uuid4().hex[:8]
    values = {field: f"{field}-{unique}" for field in HEADER_COLUMNS}
    values["bbDeviceId"], values["userId"] = -9_007_199_254_740_993, 9_007_199_254_740_993
    header = event_pb2.Header(**values)
    event = make_event("app.open", now_ms())
    before_ms = now_ms()
    response = dispatch(stub, event_pb2.Events(header=header, events=[event]))
    assert response.status == "SUCCESS", f"gateway answered {response.status!r}: {response.message!r}"
    assert wait_until_landed([event.id]) == 1

    columns = list(HEADER_COLUMNS.values()) + ["received_at_ms", "toUnixTimestamp(written_at)"]
    row = clickhouse.query(f"SELECT {', '.join(columns)} FROM {TABLE} FINAL "
                           f"WHERE event_id IN ({id_list([event.id])}) FORMAT TSV").rstrip("\n").split("\t")
    stored = dict(zip(HEADER_COLUMNS, row))
    expected = {field: str(value) for field, value in values.items()}
    print(f"\nheader fields: sent {len(values)}, stored {sum(stored[f] == expected[f] for f in expected)}")
    assert stored == expected
    received_ms, written_s = int(row[-2]), int(row[-1])
    assert before_ms - 3_000 <= received_ms <= now_ms(), "received_at_ms is the gateway's receive time"
    assert written_s * 1000 >= received_ms - 1_000, "written_at is the worker's write time, after receipt"

"""The worker's schema and inserts against a current ClickHouse engine, not only Debian's 18.16.

A real worker runs against the test stack's ClickHouse 18.16 with CLICKHOUSE_STATEMENT_LOG set, so it records every
statement it sends (CREATE DATABASE/TABLE, DESCRIBE, the ALTER TABLE ... ADD COLUMN migration of a table an older
release made, and each insert with the URL settings it carries and its rows). Events of every kind the gateway
accepts go through it. The recorded statements are then replayed, in order and with the same settings, on the
current engine that `chdb` (PyPI) embeds; any statement it refuses fails the test, and the tables it ends with must
have the columns, types and rows 18.16 ended with. The statements are those the worker really sent, not a copy.

Environment: EVENTGRPC_BIN, STACK_DIR, RABBIT_PORT, RABBIT_MANAGEMENT_PORT, CLICKHOUSE_PORT (see scripts/test.sh).
"""

import json
import pathlib
import shutil
import tempfile
import uuid

import pytest
from chdb import session as chdb_session

from eventgrpc_testkit import clickhouse, rabbitmq
from eventgrpc_testkit.processes import Gateway, Worker
from eventgrpc_testkit.protos import event_pb2
from eventgrpc_testkit.timing import eventually, now_ms

# URL parameters of ClickHouse's HTTP interface that are not query settings: not replayed as SETTINGS.
HTTP_ONLY_PARAMETERS = {"database", "query", "query_id", "wait_end_of_query"}

# The events table as the first release made it: the worker must add every later column (EventTable+Migration).
LEGACY_TABLE = ("CREATE TABLE {table} (event_id String, event_type String, timestamp DateTime, message_id String) "
                "ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(timestamp) ORDER BY event_id")


@pytest.fixture
def recorded():
    """Runs a gateway and a worker (statement log on) against 18.16, sends events of every kind; yields the
    recorded statements, the database and what 18.16 holds. Cleans up afterwards."""
    uid = uuid.uuid4().hex[:10]
    directory = pathlib.Path(tempfile.mkdtemp(prefix="replay-"))
    database = f"replay_{uid}"
    queues = [{"name": f"replay.{uid}.{table}", "bindings": [binding], "consumers": 2, "prefetch": 1,
               "sink": "direct", "table": table} for table, binding in (("events", "app.#"), ("legacy", "log.#"))]
    spec = {"exchange": {"name": f"replay.{uid}", "type": "topic"},
            "families": [{"name": "replay", "database": database, "queues": queues}]}
    topology = directory / "topology.json"
    topology.write_text(json.dumps(spec))
    statement_log = directory / "statements.jsonl"
    clickhouse.query(f"CREATE DATABASE {database}")
    clickhouse.query(LEGACY_TABLE.format(table=f"{database}.legacy"))
    gateway = Gateway(log_dir=directory, TOPOLOGY_FILE=topology, LOG_LEVEL="notice")
    worker = Worker("replay", log_dir=directory, TOPOLOGY_FILE=topology, LOG_LEVEL="notice",
                    CLICKHOUSE_STATEMENT_LOG=statement_log)
    try:
        gateway.start()
        worker.start()
        assert eventually(lambda: worker.heartbeat(timeout=1)[0] == 200, 60), worker.log_tail()
        ids = send_every_kind_of_event(gateway, uid)
        for table, expected in ids.items():
            landed = clickhouse.wait_for_rows(f"{database}.{table}", expected, timeout_s=30)
            assert landed == len(expected), f"{table}: {landed} of {len(expected)} landed\n{worker.log_tail()}"
        assert worker.stop(timeout=40) == 0, worker.log_tail()
        on_18 = {table: snapshot_18(f"{database}.{table}") for table in ids}
        statements = [json.loads(line) for line in statement_log.read_text().splitlines()]
        yield {"statements": statements, "database": database, "on_18": on_18}
    finally:
        for process in (worker, gateway):
            assert process.stop(timeout=40) == 0, process.log_tail()
        for queue in queues:
            for name in (queue["name"], f"{queue['name']}.retry", f"{queue['name']}.dlq"):
                rabbitmq.delete_queue(name)
        rabbitmq.delete_exchange(spec["exchange"]["name"])
        clickhouse.drop_database(database)
        shutil.rmtree(directory, ignore_errors=True)


def send_every_kind_of_event(gateway: Gateway, uid: str) -> dict[str, list[str]]:
    """Two batches per table: every header field, every attribute kind, experiment ids, an event page, a timestamp
    in the future (clamped) and one without an id (derived). Returns the client-supplied ids per table."""
    header = event_pb2.Header(
        sessionId=f"s-{uid}", bbDeviceId=42, userId=-7, deviceId="d", androidAdvertisingId="aaid", clientId="c",
        channel="web", os="android", clientType="app", appLanguage="fr", appVersion="1.2.3", appVersionCode="123",
        currentURL="https://example.invalid/h?q='x'", merchantId="m", utmReferrer="r", utmPlatform="p",
        utmSource="s", utmMedium="med", utmCampaign="camp\tq\"uote", ppId="pp")
    attributes = [event_pb2.Attribute(key="s", stringValue="été \\ \"q\""), event_pb2.Attribute(key="i", intValue=-3),
                  event_pb2.Attribute(key="d", doubleValue=2.5), event_pb2.Attribute(key="b", boolValue=True)]
    ids = {"events": [], "legacy": []}
    channel, stub = gateway.stub()
    with channel:
        for table, kind in (("events", "app"), ("legacy", "log")):
            for batch in range(2):
                events = []
                for n in range(5):
                    event_id = f"{kind}-{uid}-{batch}-{n}"
                    ids[table].append(event_id)
                    future = n == 4
                    events.append(event_pb2.Event(
                        id=event_id, type=f"{kind}.replay", attributes=attributes, experimentIds=[1, -2],
                        timestamp=str(now_ms() + (3_600_000 if future else -n * 1000)),
                        currentURL="https://example.invalid/page" if n % 2 else ""))
                events.append(event_pb2.Event(type=f"{kind}.replay", timestamp=str(now_ms())))  # id derived
                response = stub.dispatch(event_pb2.Events(header=header, events=events), timeout=20)
                assert response.status == "SUCCESS", response
    return ids


def snapshot_18(table: str) -> dict:
    columns = clickhouse.query(f"DESCRIBE TABLE {table} FORMAT TSV")
    count = clickhouse.query(f"SELECT count() FROM {table} FINAL FORMAT TSV")
    return {"columns": [tuple(line.split("\t")[:2]) for line in columns.splitlines() if line],
            "rows": int(count.strip())}


def replayable(record: dict) -> str | None:
    """The statement of one recorded request as the current engine takes it in process: an insert gets its URL
    settings as a SETTINGS clause and its rows after FORMAT; a statement sent in the body gets the settings the
    same way. A health ping (GET /ping) is no statement: None."""
    if record["path"] != "/":
        return None
    parameters = dict(record["parameters"])
    settings = ", ".join(f"{name} = '{value}'" for name, value in record["parameters"]
                         if name not in HTTP_ONLY_PARAMETERS)
    if "query" in parameters:
        statement = parameters["query"]
        head, separator, tail = statement.partition(" FORMAT ")
        assert separator, f"an insert without FORMAT: {statement}"
        clause = f" SETTINGS {settings}" if settings else ""
        return f"{head}{clause} FORMAT {tail}\n{record['body']}"
    assert not settings, f"settings on a statement in the body are not replayed yet: {record}"
    return record["body"]


def test_the_recorded_ddl_and_inserts_run_on_a_current_clickhouse(recorded):
    statements = [s for s in map(replayable, recorded["statements"]) if s is not None]
    kinds = [s.split()[0].upper() for s in statements]
    assert "ALTER" in kinds and "INSERT" in kinds and kinds.count("CREATE") >= 3, kinds
    database = recorded["database"]
    session = chdb_session.Session(tempfile.mkdtemp(prefix="chdb-"))
    try:
        version = session.query("SELECT version()", "TSV").data().strip()
        # The old-release table the worker met on 18.16, made the same way here.
        session.query(f"CREATE DATABASE {database}")
        session.query(LEGACY_TABLE.format(table=f"{database}.legacy"))
        for statement in statements:
            try:
                session.query(statement)
            except Exception as error:  # chdb raises its own error type: the statement was refused
                pytest.fail(f"ClickHouse {version} refused a statement the worker sent to 18.16:\n"
                            f"{statement[:2000]}\n-> {error}")
        for table, on_18 in recorded["on_18"].items():
            described = session.query(f"DESCRIBE TABLE {database}.{table}", "TSV").data()
            columns = [tuple(line.split("\t")[:2]) for line in described.splitlines() if line]
            assert columns == on_18["columns"], f"{table}: columns differ from 18.16's"
            rows = int(session.query(f"SELECT count() FROM {database}.{table} FINAL", "TSV").data())
            assert rows == on_18["rows"], f"{table}: {rows} rows on {version}, {on_18['rows']} on 18.16"
        print(f"current ClickHouse {version}: {len(statements)} recorded statements replayed "
              f"({kinds.count('INSERT')} inserts, {kinds.count('ALTER')} ALTER); same columns and rows as 18.16")
    finally:
        session.close()

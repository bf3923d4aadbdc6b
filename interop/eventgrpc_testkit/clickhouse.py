"""ClickHouse over HTTP (config.CLICKHOUSE_URL): queries, row counts, waiting for rows to land."""

import time

from .config import CLICKHOUSE_URL
from .net import http


class ClickHouseError(RuntimeError):
    """ClickHouse answered an error status (404 unknown table or database, 400 syntax, 500 other)."""

    def __init__(self, status: int, body: str, sql: str):
        super().__init__(f"ClickHouse answered {status} to {sql!r}: {body.strip()}")
        self.status = status
        self.body = body


def query(sql: str, timeout: float = 10) -> str:
    """The body of ClickHouse's answer to `sql`; raises ClickHouseError on an error status."""
    status, body = http(f"{CLICKHOUSE_URL}/", data=sql.encode(), method="POST", timeout=timeout)
    if status != 200:
        raise ClickHouseError(status, body, sql)
    return body


def sql_strings(values: list[str]) -> str:
    """`'a', 'b'` for an IN list; the values are ids the tests made, checked to need no escaping."""
    assert not any("'" in value or "\\" in value for value in values), "values are interpolated: no quotes"
    return ", ".join(f"'{value}'" for value in values)


def count_rows(table: str, ids: list[str] | None = None) -> int:
    """Rows of `table` after FINAL (merged duplicates count once), only those whose event_id is in `ids` if given."""
    where = f" WHERE event_id IN ({sql_strings(ids)})" if ids is not None else ""
    return int(query(f"SELECT count() FROM {table} FINAL{where} FORMAT TSV").strip())


def wait_for_rows(table: str, ids: list[str], timeout_s: float = 30, interval_s: float = 0.5) -> int:
    """Polls until every id is in `table` (FINAL); returns the last count seen. An error (the table may not exist
    before a worker's first start) counts as not yet; the last one is printed if it lasted to the timeout."""
    deadline = time.monotonic() + timeout_s
    count, last_error = 0, None
    while time.monotonic() < deadline:
        try:
            count = count_rows(table, ids)
            last_error = None
        except ClickHouseError as error:
            last_error = f"HTTP {error.status}: {error.body.strip()}"
        if count >= len(ids):
            return count
        time.sleep(interval_s)
    if last_error is not None:
        print(f"last ClickHouse error: {last_error}")
    return count


def drop_database(name: str) -> None:
    query(f"DROP DATABASE IF EXISTS {name}")

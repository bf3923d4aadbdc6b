"""Where the servers and binaries are: the environment scripts/test.sh sets, read in one place.

Environment (default): EVENTGRPC_BIN (.build/debug), EVENTGRPC_RELEASE_BIN (.build/release: tests of limits, built
by `make test`'s layers step), STACK_DIR (.run/test-stack; test_spool.py skips without it),
GATEWAY_ADDR (127.0.0.1:8017), ADMIN_ADDR (127.0.0.1:8019), RABBIT_PORT (5672), RABBIT_MANAGEMENT_PORT (15672),
CLICKHOUSE_PORT (8123), CLICKHOUSE_URL (http://127.0.0.1:CLICKHOUSE_PORT). Relative defaults are under the
repository root, so the tests do not depend on the working directory.
"""

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("EVENTGRPC_BIN") or ROOT / ".build" / "debug")
RELEASE_BIN = pathlib.Path(os.environ.get("EVENTGRPC_RELEASE_BIN") or ROOT / ".build" / "release")
STACK_DIR = os.environ.get("STACK_DIR") or str(ROOT / ".run" / "test-stack")
GATEWAY_ADDR = os.environ.get("GATEWAY_ADDR", "127.0.0.1:8017")
ADMIN_ADDR = os.environ.get("ADMIN_ADDR", "127.0.0.1:8019")
RABBIT_PORT = os.environ.get("RABBIT_PORT", "5672")
RABBIT_MANAGEMENT_PORT = os.environ.get("RABBIT_MANAGEMENT_PORT", "15672")
CLICKHOUSE_PORT = os.environ.get("CLICKHOUSE_PORT", "8123")
CLICKHOUSE_URL = os.environ.get("CLICKHOUSE_URL", f"http://127.0.0.1:{CLICKHOUSE_PORT}").rstrip("/")

"""Helpers for interop tests that run a gateway of their own: free ports, a private topology, the process
lifecycle, and a look into RabbitMQ queues through the management API.

Environment: EVENTGRPC_BIN (directory with IngestGateway), RABBIT_PORT, RABBIT_MANAGEMENT_PORT.
"""

import base64
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BIN = os.environ.get("EVENTGRPC_BIN", ".build/debug")
RABBIT_PORT = os.environ.get("RABBIT_PORT", "5672")
MANAGEMENT = f"http://127.0.0.1:{os.environ.get('RABBIT_MANAGEMENT_PORT', '15672')}"
AUTH = "Basic " + base64.b64encode(b"guest:guest").decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_topology(name: str) -> tuple[str, str]:
    """A topology file with its own exchange and one queue bound to every key; returns (path, queue)."""
    suffix = uuid.uuid4().hex[:8]
    queue = f"it.{name}.{suffix}"
    topology = {
        "exchange": {"name": f"it.{name}.{suffix}", "type": "topic"},
        "families": [{
            "name": "it", "database": f"it_{name}_{suffix}",
            "queues": [{"name": queue, "bindings": ["#"], "consumers": 1, "prefetch": 1,
                        "sink": "direct", "table": "events"}],
        }],
    }
    handle, path = tempfile.mkstemp(prefix=f"topology-{name}-", suffix=".json")
    with os.fdopen(handle, "w") as f:
        json.dump(topology, f)
    return path, queue


class Gateway:
    """An IngestGateway process on free ports with extra environment; stop() returns its exit code."""

    def __init__(self, **env: str):
        self.port = free_port()
        self.admin_port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="gateway-", suffix=".log", delete=False)
        self.spool_dir = tempfile.mkdtemp(prefix="spool-")
        full_env = dict(os.environ, PORT=str(self.port), ADMIN_PORT=str(self.admin_port), RABBIT_PORT=RABBIT_PORT,
                        SPOOL_DIR=self.spool_dir, **env)
        self.process = subprocess.Popen([os.path.join(BIN, "IngestGateway")], env=full_env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert self.process.poll() is None, f"gateway exited early: {self.log_text()}"
                time.sleep(0.05)
        raise AssertionError(f"gateway did not listen within 20 s: {self.log_text()}")

    def heartbeat(self) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}/heartbeat/", timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def peak_rss_kib(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")

    def signal(self, number: int = signal.SIGTERM) -> None:
        self.process.send_signal(number)

    def wait(self, timeout: float = 40) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
        return self.wait()

    def log_text(self) -> str:
        with open(self.log.name, errors="replace") as f:
            return f.read()[-4000:]


def management(method: str, path: str, body: dict | None = None) -> object:
    request = urllib.request.Request(MANAGEMENT + path, method=method, headers={"Authorization": AUTH,
                                     "Content-Type": "application/json"},
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def drain_queue(queue: str) -> list[dict]:
    """Takes every message out of `queue` (acked) and returns their JSON bodies."""
    bodies: list[dict] = []
    path = f"/api/queues/%2F/{urllib.parse.quote(queue, safe='')}/get"
    deadline = time.time() + 60
    while time.time() < deadline:
        batch = management("POST", path, {"count": 500, "ackmode": "ack_requeue_false", "encoding": "auto"})
        if not batch:
            return bodies
        bodies.extend(json.loads(message["payload"]) for message in batch)
    raise AssertionError(f"queue {queue} did not drain within 60 s")


def delete_queue(queue: str) -> None:
    """Deletes `queue` and its dead-letter queue; a queue that does not exist is fine."""
    for name in (queue, queue + ".dlq"):
        try:
            management("DELETE", f"/api/queues/%2F/{urllib.parse.quote(name, safe='')}")
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise


def event_ids(bodies: list[dict]) -> list[str]:
    return [event["id"] for body in bodies for event in body["events"]]

"""RabbitMQ through its management HTTP API (RABBIT_MANAGEMENT_PORT, guest/guest): queue depths, publishing
straight to a queue, taking messages out, deleting what a test declared. No AMQP client library is needed."""

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from .config import RABBIT_MANAGEMENT_PORT

MANAGEMENT_URL = f"http://127.0.0.1:{RABBIT_MANAGEMENT_PORT}/api"
AUTH = "Basic " + base64.b64encode(b"guest:guest").decode()


def management(method: str, path: str, body: dict | None = None, timeout: float = 20) -> object:
    """The JSON answer (None when empty) to `method` on /api`path`; raises urllib.error.HTTPError on an error."""
    request = urllib.request.Request(f"{MANAGEMENT_URL}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": AUTH, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
    return json.loads(text) if text else None


def queue_path(queue: str) -> str:
    return f"/queues/%2F/{urllib.parse.quote(queue, safe='')}"


def exchange_path(exchange: str) -> str:
    return f"/exchanges/%2F/{urllib.parse.quote(exchange, safe='')}"


def queue_depth(queue: str) -> dict:
    """messages, messages_ready and messages_unacknowledged of a queue, zeros if it does not exist (the management
    statistics lag about a second)."""
    keys = ("messages", "messages_ready", "messages_unacknowledged")
    try:
        info = management("GET", queue_path(queue))  # no ?columns=: a queue without statistics yet answers []
    except urllib.error.HTTPError:
        return {key: 0 for key in keys}
    return {key: int(info.get(key, 0)) for key in keys}


def publish_to_queue(queue: str, payload: str, message_id: str) -> None:
    """Publishes one persistent JSON message straight to `queue` through the default exchange."""
    answer = management("POST", f"{exchange_path('amq.default')}/publish", {
        "properties": {"message_id": message_id, "delivery_mode": 2, "content_type": "application/json"},
        "routing_key": queue, "payload": payload, "payload_encoding": "string"})
    assert answer.get("routed") is True, f"not routed to {queue}: {answer}"


def take_messages(queue: str, timeout_s: float = 60) -> list[dict]:
    """Takes every message out of `queue` (acked, not requeued) and returns their JSON bodies."""
    bodies: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        batch = management("POST", f"{queue_path(queue)}/get", {
            "count": 500, "ackmode": "ack_requeue_false", "encoding": "auto", "truncate": 50_000_000})
        if not batch:
            return bodies
        bodies.extend(json.loads(message["payload"]) for message in batch)
    raise AssertionError(f"queue {queue} did not drain within {timeout_s} s")


def event_ids(bodies: list[dict]) -> list[str]:
    """The event ids of message bodies as the gateway publishes them ({"calls": [{"header", "receivedAt",
    "events"}, ...]}), or in the single-call shape other publishers use ({"header": ..., "events": [...]})."""
    calls = [call for body in bodies for call in body.get("calls", [body])]
    return [event["id"] for call in calls for event in call["events"]]


def _delete(path: str) -> None:
    try:
        management("DELETE", path)
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise


def delete_queue(queue: str) -> None:
    """Deletes `queue` and its dead-letter queue; a queue that does not exist is fine."""
    for name in (queue, queue + ".dlq"):
        _delete(queue_path(name))


def delete_exchange(exchange: str) -> None:
    """Deletes `exchange`; one that does not exist is fine."""
    _delete(exchange_path(exchange))

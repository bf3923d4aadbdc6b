"""The Python peer of `make bench`: the seed's gateway written the way most teams would.

A grpcio server with a thread pool (the worker pool) serving event.EventService/dispatch: decode the Events
batch, validate it, give events without an id a UUID, clamp future timestamps, group the events by type and
publish one persistent, mandatory JSON message per type with pika, waiting for the broker's confirm (one pika
connection per worker thread, since a pika connection is not thread-safe). It answers SUCCESS only after every
message of the batch was confirmed: the same promise and the same broker messages as IngestGateway, so the
bench compares like with like. It has no spool and no bounded queue: it is a peer for throughput, not a product.

Environment: PORT (gRPC, 8417), RABBIT_PORT (5672), PEER_WORKERS (threads, 32), EXCHANGE (events).
"""
import json
import os
import signal
import sys
import threading
import time
import uuid
from concurrent import futures

import grpc
import pika

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "generated"))
import event_pb2  # noqa: E402

EXCHANGE = os.environ.get("EXCHANGE", "events")
RABBIT_PORT = int(os.environ.get("RABBIT_PORT", "5672"))
MAX_FIELD = 8 * 1024
EARLIEST_MS = 946_684_800_000
TYPE_BYTES = set(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-")
HEADER_FIELDS = [field.name for field in event_pb2.Header.DESCRIPTOR.fields]
local = threading.local()


class Invalid(Exception):
    pass


def channel():
    """This thread's confirming channel (opened on first use, reopened after a failure)."""
    if getattr(local, "channel", None) is None or not local.channel.is_open:
        connection = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=RABBIT_PORT))
        local.channel = connection.channel()
        local.channel.confirm_delivery()
    return local.channel


def attribute_value(attribute):
    kind = attribute.WhichOneof("value")
    if kind is None:
        raise Invalid(f"attribute {attribute.key} has no value")
    return getattr(attribute, kind)


def validated(batch, now_ms):
    if not batch.events:
        raise Invalid("the batch has no events")
    if len(batch.events) > 500:
        raise Invalid("too many events")
    if not batch.header.deviceId and batch.header.bbDeviceId == 0:
        raise Invalid("header: deviceId (or bbDeviceId) is required")
    groups = {}
    for index, event in enumerate(batch.events):
        if len(event.id) > MAX_FIELD or len(event.currentURL) > MAX_FIELD:
            raise Invalid(f"events[{index}]: a field is too long")
        if not event.timestamp.isdigit():
            raise Invalid(f"events[{index}].timestamp is not epoch milliseconds")
        original = int(event.timestamp)
        if original < EARLIEST_MS:
            raise Invalid(f"events[{index}].timestamp is before 2000")
        kind = event.type or "app.event"
        if not 1 <= len(kind) <= 128 or not set(kind.encode()) <= TYPE_BYTES:
            raise Invalid(f"events[{index}].type is invalid")
        if len(event.attributes) > 64:
            raise Invalid(f"events[{index}] has too many attributes")
        attributes = {}
        for attribute in event.attributes:
            if not attribute.key:
                raise Invalid(f"events[{index}]: an attribute key is empty")
            attributes[attribute.key] = attribute_value(attribute)
        clamped = min(original, now_ms)
        groups.setdefault(kind, []).append({
            "id": event.id or str(uuid.uuid4()), "type": kind, "timestamp": clamped,
            "originalTimestamp": original, "timestampCorrected": clamped != original,
            "currentURL": event.currentURL, "attributes": attributes, "experimentIds": list(event.experimentIds),
        })
    return groups


def dispatch(batch, context):
    try:
        groups = validated(batch, int(time.time() * 1000))
    except Invalid as error:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
    header = {name: getattr(batch.header, name) for name in HEADER_FIELDS}
    try:
        for kind, events in groups.items():
            body = json.dumps({"header": header, "events": events}, separators=(",", ":")).encode()
            channel().basic_publish(
                EXCHANGE, kind, body, mandatory=True,
                properties=pika.BasicProperties(
                    content_type="application/json", delivery_mode=2, message_id=str(uuid.uuid4())))
    except Exception as error:  # the broker refused or the connection broke: the client retries
        local.channel = None
        context.abort(grpc.StatusCode.UNAVAILABLE, f"the batch was not accepted: {error}")
    count = sum(len(events) for events in groups.values())
    return event_pb2.Response(status="SUCCESS", message=f"accepted {count} events")


def main():
    workers = int(os.environ.get("PEER_WORKERS", "32"))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    handler = grpc.method_handlers_generic_handler("event.EventService", {
        "dispatch": grpc.unary_unary_rpc_method_handler(
            dispatch, request_deserializer=event_pb2.Events.FromString,
            response_serializer=event_pb2.Response.SerializeToString),
    })
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{os.environ.get('PORT', '8417')}")
    server.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop(grace=5).wait()


if __name__ == "__main__":
    main()

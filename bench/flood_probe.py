"""Flood probe for `make bench`: while h2load floods the gateway, send calls at a fixed rate (open loop: each
call's latency counts from the moment it was due, not from when it could be sent) with the official grpcio client,
and report per gRPC status how many came back and how long they took. h2load sees only HTTP statuses (always
200 for gRPC), so refusals (RESOURCE_EXHAUSTED) and their latency are measured here.

Usage: flood_probe.py ADDRESS REQUEST.pb RATE SECONDS  -> one JSON object on stdout.
"""
import json
import sys
import threading
import time

import grpc


def percentile(values, fraction):
    if not values:
        return 0.0
    values = sorted(values)
    return values[max(0, min(len(values) - 1, -(-len(values) * fraction // 1) - 1)).__int__()]


def main(address, request_path, rate, seconds):
    body = open(request_path, "rb").read()
    channel = grpc.insecure_channel(address)
    call = channel.unary_unary("/event.EventService/dispatch")
    latencies = {}
    lock = threading.Lock()
    pending = []
    start = time.monotonic()
    total = int(rate * seconds)
    for index in range(total):
        due = start + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)

        def done(future, due=due):
            elapsed = (time.monotonic() - due) * 1000
            code = future.code().name if future.code() else "UNKNOWN"
            with lock:
                latencies.setdefault(code, []).append(elapsed)

        future = call.future(body, timeout=30)
        future.add_done_callback(done)
        pending.append(future)
    for future in pending:
        try:
            future.result()
        except grpc.RpcError:
            pass  # counted by its status in done()
    time.sleep(0.1)
    result = {"sent": total, "rate": rate}
    for code, values in latencies.items():
        result[code.lower()] = {"count": len(values), "p50_ms": round(percentile(values, 0.5), 3),
                                "p99_ms": round(percentile(values, 0.99), 3)}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))

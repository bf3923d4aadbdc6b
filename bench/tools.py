"""Helpers for bench/run.py, which imports them; also a command line (standard library only, except `report`, which
plots with matplotlib and so runs with the bench virtualenv's python). As a command line:

  tools.py request EVENTS MIX OUT          write OUT.pb (event.Events) and OUT.req (gRPC-framed) with EVENTS events;
                                           MIX "app" (all app.open), "trace" (all log.trace), "post" (all log.post)
                                           or "mixed" (half app.open, a quarter each log.trace and log.post: both
                                           queue families)
  tools.py latency LOGFILE [SINCE_US]      p50/p99/max of an h2load --log-file (requests started after SINCE_US)
  tools.py metric URL NAME [LABELS]        sum of one Prometheus counter or gauge (optionally labels substring)
  tools.py by-label URL NAME LABEL         {"VALUE": sum, ...}: one Prometheus series summed per value of LABEL
  tools.py depths URL QUEUE...             total messages ready+unacked in the queues (management API)
  tools.py queue-depths URL QUEUE...       {"QUEUE": messages, ...} (management API)
  tools.py clickhouse URL                  {"InsertedRows": n, "InsertQuery": n}: ClickHouse's own counters
                                           (system.events; an event that never happened counts 0)
  tools.py cpu PID                         the process's user + system CPU seconds (/proc/PID/stat)
  tools.py purge URL QUEUE...              empty the queues (management API)
  tools.py h2load OUTPUT                   {"calls_per_second", "done", "succeeded", "seconds"} from h2load's output
  tools.py case OUT key=value... [key=@file.json] [key=@[a.json,b.json]]   write one JSON object (values parsed
                                           as JSON when they are; @file embeds a file, @[...] a list of files)
  tools.py report DIR DATE                 DIR/DATE-summary.md, DIR/DATE-plot.png from DIR/DATE-*.json
Imported, latency, metric, by_label, depths, queue_depths, clickhouse_events, cpu_seconds and h2load return what
the command line prints; write_json, depth_summary, slope, per_second, peak_rss_kib and reset_peak_rss are for
run.py alone.
"""
import base64
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request


def request(count, mix, out):
    header = {5: b"bench-session", 8: b"bench-device", 15: b"1.0"}
    types = [{"app": "app.open", "trace": "log.trace", "post": "log.post"}.get(mix, "app.open")] * count
    if mix == "mixed":
        types = ["app.open" if i % 2 == 0 else ("log.trace" if i % 4 == 1 else "log.post") for i in range(count)]
    body = field(4, b"".join(field(number, value) for number, value in header.items()))
    for i, kind in enumerate(types):
        event = field(4, f"bench-{mix}-{count}-{i}".encode()) + field(5, b"1700000000000") + field(7, kind.encode())
        event += field(8, field(1, b"screen") + field(2, b"home"))
        event += field(8, field(1, b"n") + varint(3 << 3) + varint(i))
        body += field(5, event)
    with open(out + ".pb", "wb") as pb:
        pb.write(body)
    with open(out + ".req", "wb") as framed:
        framed.write(b"\x00" + struct.pack(">I", len(body)) + body)


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    index = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * fraction // 1) - 1))
    return sorted_values[int(index)]


def latency(path, since_us=0):
    values = []
    with open(path) as log:
        for line in log:
            parts = line.split("\t")
            if len(parts) >= 3 and int(parts[0]) >= since_us and parts[1] == "200":
                values.append(int(parts[2]) / 1000)
    values.sort()
    return {"count": len(values), "p50_ms": round(percentile(values, 0.5), 3),
            "p99_ms": round(percentile(values, 0.99), 3), "max_ms": round(values[-1], 3) if values else 0}


def metric(url, name, labels=""):
    total = 0.0
    with urllib.request.urlopen(url, timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name) and (line[len(name)] in " {") and labels in line:
                total += float(line.rsplit(" ", 1)[1])
    return int(total) if total.is_integer() else total


def by_label(url, name, label):
    """{"VALUE": sum} of the series NAME{...LABEL="VALUE"...} (a histogram's NAME_count or NAME_sum included)."""
    totals = {}
    with urllib.request.urlopen(url, timeout=5) as response:
        for line in response.read().decode().splitlines():
            if not line.startswith(name + "{"):
                continue
            labels, _, value = line[len(name) + 1:].rpartition("} ")
            for pair in labels.split(","):
                key, _, quoted = pair.partition("=")
                if key == label:
                    key = quoted.strip('"')
                    totals[key] = totals.get(key, 0) + float(value)
    return {key: int(value) if value.is_integer() else value for key, value in totals.items()}


def depths(url, *queues):
    return sum(queue_depths(url, *queues).values())


def queue_depths(url, *queues, patience=5):
    """{"QUEUE": messages ready + unacked}; a queue nobody declared yet counts 0. Just after the broker started, a
    queue it recovered has no statistics yet (the API answers [] instead of {"messages": N}): asked again every
    0.2 s for PATIENCE seconds, then an error."""
    result = {}
    for queue in queues:
        deadline = time.monotonic() + patience
        while True:
            try:
                with urllib.request.urlopen(management(f"{url}/api/queues/%2F/{queue}?columns=messages"),
                                            timeout=5) as response:
                    answer = json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
                answer = {"messages": 0}
            if isinstance(answer, dict) and "messages" in answer:
                result[queue] = answer["messages"] or 0
                break
            if time.monotonic() >= deadline:
                raise ValueError(f"queue {queue}: no statistics from the management API ({answer!r})")
            time.sleep(0.2)
    return result


def queue_exists(url, queue):
    try:
        urllib.request.urlopen(management(f"{url}/api/queues/%2F/{queue}?columns=name"), timeout=5).close()
        return True
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise


def clickhouse_events(url, names=("InsertedRows", "InsertQuery")):
    """ClickHouse's own cumulative counters (system.events; 18.16 lists an event only once it happened)."""
    query = ("SELECT event, value FROM system.events WHERE event IN ("
             + ", ".join(f"'{name}'" for name in names) + ") FORMAT TSV")
    request = urllib.request.Request(f"{url}/", data=query.encode(), method="POST")
    result = dict.fromkeys(names, 0)
    with urllib.request.urlopen(request, timeout=5) as response:
        for line in response.read().decode().splitlines():
            event, _, value = line.partition("\t")
            result[event] = int(value)
    return result


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of every thread of the process so far (/proc/PID/stat fields 14 and 15), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def management(url, method="GET"):
    auth = base64.b64encode(b"guest:guest").decode()
    return urllib.request.Request(url, method=method, headers={"Authorization": "Basic " + auth})


def purge(url, *queues):
    for queue in queues:
        try:
            urllib.request.urlopen(management(f"{url}/api/queues/%2F/{queue}/contents", "DELETE"), timeout=10)
        except urllib.error.HTTPError as error:
            if error.code != 404:  # a queue nobody declared yet is already empty
                raise


def h2load(path):
    result = {}
    with open(path) as output:
        for line in output:
            words = line.replace(",", "").split()
            if line.startswith("finished in"):
                result["seconds"] = duration_seconds(words[2])
                result["calls_per_second"] = float(words[3])
            elif line.startswith("requests:"):
                result["done"] = int(words[5])
                result["succeeded"] = int(words[7])
                result["failed"] = int(words[9])
    return result


def duration_seconds(text):
    """h2load's "1.00s", "75.50ms", "830.12us" (0.0 for anything else)."""
    for unit, scale in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0)):
        if text.endswith(unit):
            try:
                return float(text[:-len(unit)]) * scale
            except ValueError:
                return 0.0
    return 0.0


def case(out, *pairs):
    data = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if value.startswith("@["):
            data[key] = []
            for name in filter(None, value[2:-1].split(",")):
                with open(name) as source:
                    data[key].append(json.load(source))
            continue
        if value.startswith("@"):
            with open(value[1:]) as source:
                data[key] = json.load(source)
            continue
        try:
            data[key] = json.loads(value)
        except ValueError:
            data[key] = value
    write_json(out, data)


def write_json(path, data):
    """One case file (or any bench JSON): indented by one, keys sorted, a final newline."""
    with open(path, "w") as target:
        json.dump(data, target, indent=1, sort_keys=True)
        target.write("\n")


def depth_summary(samples):
    """Queue depths sampled once a second, [[second, depth], ...]: the largest, the last, and the least-squares slope
    (messages per second) over the second half of the samples (a backlog that keeps growing has a positive slope)."""
    samples = [list(sample) for sample in samples]
    half = [s for s in samples if s[0] >= len(samples) // 2] or samples
    n = len(half)
    mx = sum(t for t, _ in half) / n
    my = sum(d for _, d in half) / n
    slope = sum((t - mx) * (d - my) for t, d in half) / max(1e-9, sum((t - mx) ** 2 for t, _ in half))
    return {"samples": samples, "max_depth": max(d for _, d in samples), "final_depth": samples[-1][1],
            "second_half_growth_messages_per_second": round(slope, 2)}


def slope(points):
    """Least-squares slope of [[x, y], ...] (0 with fewer than two distinct x)."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    spread = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / spread if spread else 0.0


def per_second(samples, key):
    """[[t, rate], ...]: the increase of the cumulative SAMPLES[i][KEY] between consecutive samples, per second of
    their "t" (the rate over the second that ends at t)."""
    return [[later["t"], round((later[key] - earlier[key]) / max(1e-9, later["t"] - earlier["t"]), 1)]
            for earlier, later in zip(samples, samples[1:])]


def peak_rss_kib(pid):
    """The process's peak resident set (VmHWM) in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise ValueError(f"no VmHWM in /proc/{pid}/status")


def reset_peak_rss(pid):
    """Restart the process's peak resident set (VmHWM) from its current size."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "request":
        request(int(arguments[0]), arguments[1], arguments[2])
    elif command == "latency":
        print(json.dumps(latency(arguments[0], int(arguments[1]) if len(arguments) > 1 else 0)))
    elif command == "metric":
        print(metric(*arguments))
    elif command == "by-label":
        print(json.dumps(by_label(*arguments)))
    elif command == "depths":
        print(depths(*arguments))
    elif command == "queue-depths":
        print(json.dumps(queue_depths(*arguments)))
    elif command == "clickhouse":
        print(json.dumps(clickhouse_events(arguments[0])))
    elif command == "cpu":
        print(cpu_seconds(int(arguments[0])))
    elif command == "purge":
        purge(*arguments)
    elif command == "h2load":
        print(json.dumps(h2load(arguments[0])))
    elif command == "case":
        case(*arguments)
    elif command == "report":
        sys.path.insert(0, os.path.dirname(__file__))
        import report
        report.main(*arguments)
    else:
        sys.exit(f"unknown command {command}; see the docstring")

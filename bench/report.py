"""The summary of one `make bench` run: a Markdown table (DATE-summary.md) and a plot (DATE-plot.png) from the
case files DATE-*.json in DIR, and the table on standard output. Called as `tools.py report DIR DATE`."""
import glob
import json
import os


def mib(kib):
    return f"{kib / 1024:.0f}" if kib else "-"


def rss_text(rss):
    return ", ".join(f"{name} {mib(kib)}" for name, kib in sorted(rss.items())) or "-"


def number(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def rows_of(cases):
    """One table row per measurement, in case order."""
    for case in cases:
        for row in case.get("rows", []):
            yield case["case"], row


def first(row, *keys):
    """The first of KEYS that ROW has (not None)."""
    return next((row[key] for key in keys if row.get(key) is not None), None)


def table(cases):
    """The main table: one row per measurement. CPU us/call and /event are the measured process's (the gateway for
    accept, e2e and backlog, the raw publisher for raw, the peer for peer); landed rows/s, landed/accepted and the
    depth slope are the e2e and backlog cases' (ClickHouse's InsertedRows over the gateway's accepted events)."""
    lines = ["| case | mode | events/call | offered calls/s | calls/s | events/s | messages/s | landed rows/s "
             "| landed/accepted | depth slope msg/s | p50 ms | p99 ms | CPU us/call | CPU us/event | peak RSS MiB "
             "| notes |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, row in rows_of(cases):
        lines.append("| " + " | ".join([
            name, row.get("mode", "-"), str(row.get("events_per_call", "-")),
            number(row.get("offered_calls_per_second")), number(row.get("calls_per_second")),
            number(row.get("events_per_second")), number(row.get("messages_per_second")),
            number(row.get("landed_rows_per_second")), number(row.get("landed_over_accepted"), 3),
            number(row.get("depth_slope_messages_per_second"), 1),
            number(row.get("p50_ms"), 2), number(row.get("p99_ms"), 2),
            number(first(row, "gateway_cpu_us_per_call", "raw_cpu_us_per_call", "peer_cpu_us_per_call"), 1),
            number(first(row, "gateway_cpu_us_per_event", "raw_cpu_us_per_event", "peer_cpu_us_per_event"), 2),
            rss_text(row.get("rss_kib", {})), row.get("note", ""),
        ]) + " |")
    return "\n".join(lines)


def inserts_table(cases):
    """Per table of the e2e and backlog cases: the workers' inserts (eventgrpc_worker_batch_rows per queue), and
    the worker's CPU per row (utime + stime from /proc/PID/stat; a worker serves all its family's tables)."""
    lines = ["| case | queue | table | rows | inserts | rows/insert | inserts/s | rows/s | landed/accepted "
             "| worker CPU us/row |", "|---|---|---|---|---|---|---|---|---|---|"]
    found = False
    for case in cases:
        for entry in case.get("tables", []):
            found = True
            lines.append("| " + " | ".join([
                case["case"], entry["queue"], entry["table"], number(entry.get("rows")), number(entry.get("inserts")),
                number(entry.get("rows_per_insert"), 1), number(entry.get("inserts_per_second"), 1),
                number(entry.get("rows_per_second")), number(entry.get("landed_over_accepted"), 3),
                number(entry.get("worker_cpu_us_per_row"), 1),
            ]) + " |")
        clickhouse = case.get("clickhouse")
        if clickhouse:
            lines.append("| " + " | ".join([
                case["case"], "(ClickHouse, all tables)", "system.events", number(clickhouse.get("inserted_rows")),
                number(clickhouse.get("insert_queries")), number(clickhouse.get("rows_per_insert"), 1),
                number(clickhouse.get("inserts_per_second"), 1), number(clickhouse.get("rows_per_second")),
                number(case.get("landed_over_accepted"), 3), "-",
            ]) + " |")
    return "\n".join(lines) if found else ""


def plot(cases, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (rate_axis, latency_axis) = plt.subplots(1, 2, figsize=(13, 5))
    for name, _ in sorted({(c["case"], 0) for c in cases if c["case"].startswith("accept-")}):
        case = next(c for c in cases if c["case"] == name)
        points = sorted((r for r in case["rows"] if r.get("mode") == "open-loop"),
                        key=lambda r: r["offered_calls_per_second"])
        if not points:
            continue
        events = points[0]["events_per_call"]
        offered = [r["offered_calls_per_second"] * events for r in points]
        rate_axis.plot(offered, [r["events_per_second"] for r in points], "o-", label=f"{events} events/call")
        latency_axis.plot(offered, [r["p50_ms"] for r in points], "o-", label=f"p50, {events}/call")
        latency_axis.plot(offered, [r["p99_ms"] for r in points], "x--", label=f"p99, {events}/call")
    rate_axis.set(xlabel="offered events/s (open loop)", ylabel="accepted events/s",
                  title="gateway accept rate vs offered load", xscale="log", yscale="log")
    latency_axis.set(xlabel="offered events/s (open loop)", ylabel="latency ms", title="latency vs offered load",
                     xscale="log", yscale="log")
    for axis in (rate_axis, latency_axis):
        axis.grid(True, which="both", alpha=0.3)
        if axis.get_legend_handles_labels()[0]:  # no accept case, no curve
            axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main(directory, date):
    cases = []
    for path in sorted(glob.glob(os.path.join(directory, f"{date}-*.json"))):
        with open(path) as source:
            data = json.load(source)
        if isinstance(data, dict) and "case" in data:
            cases.append(data)
    order = ["accept-1", "accept-10", "accept-100", "accept-100-tls", "raw-1", "raw-10", "raw-100", "e2e", "e2e-100", "e2e-1",
             "backlog", "flood", "peer"]
    cases.sort(key=lambda c: order.index(c["case"]) if c["case"] in order else len(order))
    text = table(cases)
    inserts = inserts_table(cases)
    if inserts:
        text += ("\n\nInserts per table (the workers' eventgrpc_worker_batch_rows; ClickHouse's InsertedRows and "
                 "InsertQuery):\n\n")
        text += inserts
    notes = [f"- {c['case']}: {c['summary']}" for c in cases if c.get("summary")]
    with open(os.path.join(directory, f"{date}-summary.md"), "w") as target:
        target.write(f"# make bench, {date}\n\n{text}\n\n" + "\n".join(notes) + "\n")
    plot(cases, os.path.join(directory, f"{date}-plot.png"))
    print(text)
    print("\n".join(notes))

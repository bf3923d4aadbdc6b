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


def table(cases):
    lines = ["| case | mode | events/call | offered calls/s | calls/s | events/s | messages/s | p50 ms | p99 ms "
             "| peak RSS MiB | notes |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, row in rows_of(cases):
        lines.append("| " + " | ".join([
            name, row.get("mode", "-"), str(row.get("events_per_call", "-")),
            number(row.get("offered_calls_per_second")), number(row.get("calls_per_second")),
            number(row.get("events_per_second")), number(row.get("messages_per_second")),
            number(row.get("p50_ms"), 2), number(row.get("p99_ms"), 2), rss_text(row.get("rss_kib", {})),
            row.get("note", ""),
        ]) + " |")
    return "\n".join(lines)


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
    order = ["accept-1", "accept-10", "accept-100", "raw-1", "raw-10", "raw-100", "e2e", "flood", "peer"]
    cases.sort(key=lambda c: order.index(c["case"]) if c["case"] in order else len(order))
    text = table(cases)
    notes = [f"- {c['case']}: {c['summary']}" for c in cases if c.get("summary")]
    with open(os.path.join(directory, f"{date}-summary.md"), "w") as target:
        target.write(f"# make bench, {date}\n\n{text}\n\n" + "\n".join(notes) + "\n")
    plot(cases, os.path.join(directory, f"{date}-plot.png"))
    print(text)
    print("\n".join(notes))

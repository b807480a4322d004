#!/usr/bin/env python3
"""Turns what bench.sh recorded into table rows and summaries.

  row         one CSV row from a run directory: samples (broker counter, CPU ticks, RSS) and the client's output
  summary     medians over rounds per scenario and target, the ratios, summary.md and summary.csv
  soak        the soak report (soak.md) from Gatling's statistics and the RSS samples
  wrk-script  the wrk Lua script that POSTs a produce request of N messages
  wrk-rest-script  the same for Pulsar's own REST produce endpoint (one message)
  wrk-avro-script, avro-schema, avro-size  the http-avro scenarios' request, schema and record size

Measurement is done by the tools (the broker's msgInCounter, /proc, pulsar-perf, wrk, Gatling); this only reads
their numbers.
"""
import argparse
import base64
import csv
import glob
import json
import os
import random
import re
import statistics
import subprocess
import sys

COLUMNS = ["scenario", "target", "round", "msgs_per_s", "mb_per_s", "p50_ms", "p99_ms", "proxy_cpu", "proxy_rss_mb",
           "pulsar_cpu", "client_cpu", "errors", "note", "stored_pct"]
NUMERIC = COLUMNS[3:12]


# ---- row --------------------------------------------------------------------------------------------------------------

def read_samples(path):
    """The sampler's rows. A process that has exited reads as 0 CPU ticks (the client, after its last message): its
    last reading stands for it instead, so that a window ending after the exit does not count its CPU as negative."""
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 6:
                row = [float(parts[0])] + [int(p) for p in parts[1:]]
                if rows:
                    for k in (2, 3, 4):
                        if row[k] == 0:
                            row[k] = rows[-1][k]
                rows.append(row)
    return rows


def active_window(samples):
    """Indices (start, end) of the samples around the period in which the broker's counter grew.

    The counter is read every 0.5 s, so the first and the last interval are partly idle; when there are enough
    samples those two are left out and the window covers whole busy intervals only.
    """
    counts = [s[1] for s in samples]
    if len(counts) < 2 or counts[-1] == counts[0]:
        return None
    start = next(i for i in range(len(counts) - 1) if counts[i + 1] > counts[i])
    end = next(i for i in range(len(counts)) if counts[i] == counts[-1])
    if end - start >= 4:
        return start + 1, end - 1
    return start, end


def latency_from_log(text, pattern):
    """(p50, p99) in ms from a pulsar-perf 'Aggregated latency stats' line."""
    match = re.search(pattern + r".*?med: *([\d.]+).*?99pct: *([\d.]+)", text)
    return (float(match.group(1)), float(match.group(2))) if match else (None, None)


def latency_from_hgrm(directory, pulsar_lib):
    """(p50, p99) in ms from the HdrHistogram interval log pulsar-perf websocket-producer writes (microseconds)."""
    logs = sorted(glob.glob(os.path.join(directory, "perf-websocket-producer-*.hgrm")))
    if not logs:
        return None, None
    out = os.path.join(directory, "latency")
    classpath = os.path.join(pulsar_lib, "*")
    subprocess.run(["java", "-cp", classpath, "org.HdrHistogram.HistogramLogProcessor", "-i", logs[-1], "-o", out,
                    "-outputValueUnitRatio", "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=120)
    distribution = out + ".hgrm"
    if not os.path.exists(distribution):
        return None, None
    rows = []
    with open(distribution) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and not line.startswith("#"):
                try:
                    rows.append((float(parts[1]), float(parts[0])))
                except ValueError:
                    pass

    def at(p):
        return next((value for percentile, value in rows if percentile >= p), None)

    return at(0.5), at(0.99)


def wrk_numbers(text):
    """(p50, p99, errors) from wrk --latency output."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

    def percentile(p):
        match = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % p, text, re.M)
        return float(match.group(1)) * units[match.group(2)] if match else None

    errors = 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if match:
        errors += int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        errors += sum(int(g) for g in match.groups())
    return percentile(50), percentile(99), errors


def gatling_global(text):
    """Request counts and percentiles from the 'Global Information' block Gatling prints at the end of a run."""
    block = text[text.rfind("---- Global Information"):] if "---- Global Information" in text else ""

    def numbers(label):
        match = re.search(r"^> %s\s*\|\s*([\d,.-]+)\s*\|\s*([\d,.-]+)\s*\|\s*([\d,.-]+)" % re.escape(label), block,
                          re.M)
        if not match:
            return None
        return [None if g == "-" else float(g.replace(",", "")) for g in match.groups()]

    count = numbers("request count")
    if not count:
        return None
    p50 = numbers("response time 50th percentile (ms)")
    p99 = numbers("response time 99th percentile (ms)")
    return {"total": int(count[0]), "ok": int(count[1] or 0), "ko": int(count[2] or 0),
            "p50": p50[0] if p50 else None, "p99": p99[0] if p99 else None}


def result_fields(text):
    """The numbers of the RESULT line WsProduceLoad and WsConsumeLoad print last (None when missing or NaN)."""
    match = re.search(r"^RESULT (.*)$", text, re.M)
    if not match:
        return None
    fields = {}
    for name, value in (part.split("=", 1) for part in match.group(1).split()):
        try:
            number = float(value)
        except ValueError:
            continue
        fields[name] = None if number != number else number  # NaN: no ack came
    return fields


def ws_load_numbers(text):
    """(p50, p99, errors) from the RESULT line WsProduceLoad prints last."""
    fields = result_fields(text)
    if fields is None:
        return None, None, None
    errors = fields.get("errors")
    return fields.get("p50Ms"), fields.get("p99Ms"), None if errors is None else int(errors)


def row(args):
    directory = args.dir
    samples = read_samples(os.path.join(directory, "samples"))
    client_log = ""
    if os.path.exists(os.path.join(directory, "client.log")):
        with open(os.path.join(directory, "client.log"), errors="replace") as f:
            client_log = f.read()
    values = dict(scenario=args.scenario, target=args.target, round=args.round, note="")
    notes = []
    window = active_window(samples)
    stored = samples[-1][1] - samples[0][1] if samples else 0
    if window:
        i, j = window
        seconds = samples[j][0] - samples[i][0]
        rate = (samples[j][1] - samples[i][1]) / seconds
        ticks = lambda k: (samples[j][k] - samples[i][k]) / args.clk_tck / seconds  # noqa: E731
        values.update(msgs_per_s=round(rate), mb_per_s=round(rate * args.size / 1e6, 2),
                      proxy_cpu=round(ticks(2), 3), pulsar_cpu=round(ticks(3), 3), client_cpu=round(ticks(4), 3),
                      proxy_rss_mb=round(max(s[5] for s in samples[i:j + 1]) / 1024))
    else:
        notes.append("no message left the broker" if args.kind == "ws-consume" else "no message reached the broker")

    p50 = p99 = None
    errors = None
    kind = args.kind
    if kind == "ws-perf":
        p50, p99 = latency_from_hgrm(directory, args.pulsar_lib)
    elif kind in ("perf-produce", "e2e"):
        log_text = client_log
        if kind == "e2e":
            with open(os.path.join(directory, "consumer.log"), errors="replace") as f:
                log_text = f.read()
        p50, p99 = latency_from_log(log_text, r"Aggregated latency stats")
    elif kind == "ws-load":
        p50, p99, errors = ws_load_numbers(client_log)
    elif kind == "ws-consume":
        # msg/s is what the client received, distinct messages from its first to its last one; the window above,
        # where the broker's msgOutCounter grew, is only the period over which CPU is read.
        fields = result_fields(client_log) or {}
        rate = fields.get("msgPerSec")
        if rate:
            values.update(msgs_per_s=round(rate), mb_per_s=round(rate * args.size / 1e6, 2))
        else:
            values.update(msgs_per_s="", mb_per_s="")
        if fields.get("errors") is not None:
            errors = int(fields["errors"])
        if fields.get("distinct") is not None and fields["distinct"] < args.expected:
            notes.append("%d of %d messages received" % (fields["distinct"], args.expected))
        if fields.get("duplicates"):
            notes.append("%d duplicates" % fields["duplicates"])
    elif kind.startswith("wrk:"):
        p50, p99, errors = wrk_numbers(client_log)
    elif kind.startswith("gatling:"):
        stats = gatling_global(client_log)
        if stats:
            p50, p99, errors = stats["p50"], stats["p99"], stats["ko"]
    if kind in ("ws-perf", "perf-produce", "e2e"):
        # The WebSocket producer does not report failed sends: whatever it sent that the broker did not store failed.
        match = re.search(r"Aggregated throughput stats --- (\d+) records sent", client_log)
        if match:
            sent = int(match.group(1))
            errors = max(0, sent - stored)
            if sent:
                values["stored_pct"] = round(100.0 * min(stored, sent) / sent, 2)
            if args.offered and sent < 0.95 * args.offered:
                notes.append("the client sent %d of the %d offered (rate x duration)" % (sent, args.offered))
    values.update(p50_ms=fmt(p50), p99_ms=fmt(p99), errors="" if errors is None else errors)
    if args.exit_status not in (0, 124):
        notes.append("client exit status %d" % args.exit_status)
    values["note"] = "; ".join(notes)
    writer = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
    writer.writerow({c: values.get(c, "") for c in COLUMNS})


def fmt(value):
    if value is None:
        return ""
    return round(value, 2) if value < 100 else round(value)


# ---- summary ----------------------------------------------------------------------------------------------------------

LABELS = {
    "ws": "WebSocket produce",
    "ws-window": "WebSocket produce, windowed",
    "ws-window-batch": "WebSocket produce, windowed, batching",
    "ws-consume": "WebSocket consume",
    "http-single": "HTTP produce, 1 per request",
    "http-batch": "HTTP produce, batched",
    "direct": "Java client (ceiling)",
    "e2e": "End-to-end latency",
    "cpu": "WebSocket produce at a fixed rate (CPU)",
}


def msgs_per_s(run):
    return float(run["msgs_per_s"]) if run["msgs_per_s"] not in ("", "0", "0.0") else None


def cpu_per_message(run):
    """The proxy's cores per message/s of one run."""
    rate = msgs_per_s(run)
    return float(run["proxy_cpu"]) / rate if rate and run["proxy_cpu"] not in ("", "0", "0.0") else None


def round_ratios(on_runs, off_runs, measure=msgs_per_s):
    """on / off of measure (msg/s by default) in each round in which both were measured, in round order."""
    off = {r["round"]: measure(r) for r in off_runs if measure(r)}
    return ["%.2f" % (measure(r) / off[r["round"]])
            for r in sorted(on_runs, key=lambda r: int(r["round"])) if measure(r) and r["round"] in off]


def per_thousand_messages(run, column):
    """CPU-seconds per 1000 stored messages of one run: cores over the window / msg/s stored in it, x 1000."""
    rate = msgs_per_s(run)
    return float(run[column]) * 1000 / rate if rate and run[column] != "" else None


def server_per_thousand(run):
    """The servers' CPU-seconds per 1000 messages: the broker, plus the proxy when the traffic went through it."""
    broker = per_thousand_messages(run, "pulsar_cpu")
    if broker is None or not run["target"].startswith("proxy"):
        return broker
    proxy = per_thousand_messages(run, "proxy_cpu")
    return None if proxy is None else broker + proxy


def median_of(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def cpu_section(groups):
    """The cpu scenario: per round and target, CPU-seconds per 1000 stored messages of each process and the share
    stored; then the medians and the per-round ratio of the server CPU per message, proxy-ws / pulsar-ws."""
    targets = [t for t in ("pulsar-ws", "proxy-ws") if ("cpu", t) in groups]
    if not targets:
        return [], []
    show = lambda v, digits=4: "" if v is None else "%.*f" % (digits, v)  # noqa: E731
    lines = ["", "## CPU per message (cpu)", "",
             "CPU-seconds per 1000 messages stored (utime + stime over the window in which the broker stored); "
             "server = proxy + broker through proxy-ws, the broker alone through pulsar-ws.", "",
             "| Target | Round | msg/s stored | Stored % of sent | Proxy | Broker | Client | Server |",
             "|---|---|---|---|---|---|---|---|"]
    medians = {}
    for target in targets:
        runs = sorted((r for r in groups[("cpu", target)] if msgs_per_s(r)), key=lambda r: int(r["round"]))
        columns = {"proxy": [], "broker": [], "client": [], "server": [], "stored": []}
        for r in runs:
            figures = (per_thousand_messages(r, "proxy_cpu"), per_thousand_messages(r, "pulsar_cpu"),
                       per_thousand_messages(r, "client_cpu"), server_per_thousand(r))
            stored = float(r["stored_pct"]) if r.get("stored_pct") else None
            for name, v in zip(("proxy", "broker", "client", "server", "stored"), figures + (stored,)):
                columns[name].append(v)
            lines.append("| %s | %s | %s | %s | %s |" % (target, r["round"], r["msgs_per_s"], show(stored, 2),
                                                        " | ".join(show(v) for v in figures)))
        medians[target] = {k: median_of(v) for k, v in columns.items()}
        m = medians[target]
        lines.append("| **%s, median** | | | %s | %s | %s | %s | %s |" % (
            target, show(m["stored"], 2), show(m["proxy"]), show(m["broker"]), show(m["client"]), show(m["server"])))
    ratios = []
    per_round = round_ratios(groups.get(("cpu", "proxy-ws"), []), groups.get(("cpu", "pulsar-ws"), []),
                             server_per_thousand)
    if per_round:
        value = "%.2f" % statistics.median(float(r) for r in per_round)
        ratios.append(("Server CPU per message, proxy-ws / pulsar-ws, per round (%s)" % ", ".join(per_round), value,
                       "reported"))
        lines += ["", "Server CPU per message, proxy-ws / pulsar-ws: %s (median of the per-round ratios %s)"
                  % (value, ", ".join(per_round))]
    return lines, ratios


def paired_rounds(groups, scenario, a, b, columns, measure, title, what):
    """Per round, the columns of targets a and b side by side and the ratio a / b of measure; then its median.
    Returns (markdown lines, [(ratio name, value, target)])."""
    if (scenario, a) not in groups or (scenario, b) not in groups:
        return [], []
    by_round = {}
    for target in (a, b):
        for r in groups[(scenario, target)]:
            by_round.setdefault(int(r["round"]), {})[target] = r
    header = ["Round"] + ["%s %s" % (t, label) for t in (a, b) for label, _ in columns] + ["%s / %s" % (a, b)]
    lines = ["", title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ratios = []
    for n in sorted(by_round):
        runs = by_round[n]
        cells = [str(n)] + [runs[t][c] if t in runs else "" for t in (a, b) for _, c in columns]
        ratio = ""
        if a in runs and b in runs and measure(runs[a]) and measure(runs[b]):
            ratios.append(measure(runs[a]) / measure(runs[b]))
            ratio = "%.2f" % ratios[-1]
        lines.append("| " + " | ".join(cells + [ratio]) + " |")
    if not ratios:
        return lines, []
    value = "%.2f" % statistics.median(ratios)
    name = "%s, %s / %s, median of the per-round ratios (%s)" % (what, a, b, ", ".join("%.2f" % r for r in ratios))
    lines += ["", "%s: %s" % (name, value)]
    return lines, [(name, value, "reported")]


def p99(run):
    return float(run["p99_ms"]) if run["p99_ms"] not in ("", "0", "0.0") else None


def summary(args):
    with open(args.results) as f:
        rows = list(csv.DictReader(f))
    groups = {}
    for r in rows:
        groups.setdefault((r["scenario"], r["target"]), []).append(r)
    medians = {}
    table = []
    for (scenario, target), runs in groups.items():
        measured = [r for r in runs if r["msgs_per_s"] != ""]
        line = {"scenario": scenario, "target": target, "rounds": len(measured)}
        for column in NUMERIC:
            numbers = [float(r[column]) for r in measured if r[column] != ""]
            line[column] = fmt(statistics.median(numbers)) if numbers else ""
        if line["errors"] != "":
            line["errors"] = int(line["errors"])
        notes = sorted({r["note"] for r in runs if r["note"]})
        line["note"] = "; ".join(notes)
        medians[(scenario, target)] = line
        table.append(line)

    def value(scenario, target, column):
        line = medians.get((scenario, target))
        return float(line[column]) if line and line[column] != "" else None

    def ratio(a, b):
        return "%.2f" % (a / b) if a is not None and b else "n/a"

    direct = value("direct", "pulsar-client", "msgs_per_s")
    ratios = [
        ("WebSocket produce msg/s, proxy / Pulsar WebSocket", ratio(value("ws", "proxy-ws", "msgs_per_s"),
                                                                    value("ws", "pulsar-ws", "msgs_per_s")), "≥ 2"),
        ("WebSocket produce windowed msg/s, proxy / Pulsar WebSocket",
         ratio(value("ws-window", "proxy-ws", "msgs_per_s"), value("ws-window", "pulsar-ws", "msgs_per_s")), "≥ 2"),
        ("WebSocket produce windowed + batching msg/s, proxy / Pulsar WebSocket",
         ratio(value("ws-window-batch", "proxy-ws", "msgs_per_s"), value("ws-window-batch", "pulsar-ws", "msgs_per_s")),
         "≥ 2"),
        ("WebSocket consume msg/s, proxy / Pulsar WebSocket",
         ratio(value("ws-consume", "proxy-ws", "msgs_per_s"), value("ws-consume", "pulsar-ws", "msgs_per_s")),
         "reported"),
        ("WebSocket produce msg/s, proxy / Java client", ratio(value("ws", "proxy-ws", "msgs_per_s"), direct), ""),
        ("HTTP batched produce msg/s, proxy / Java client", ratio(value("http-batch", "proxy", "msgs_per_s"), direct),
         "≥ 0.5"),
        ("HTTP single produce msg/s, proxy / Java client", ratio(value("http-single", "proxy", "msgs_per_s"), direct),
         "reported"),
        ("End-to-end p99, proxy / Pulsar WebSocket", ratio(value("e2e", "proxy-ws", "p99_ms"),
                                                           value("e2e", "pulsar-ws", "p99_ms")), "≤ 1"),
    ]
    # --auth-compare, --tracing-compare: the same scenario with the variant on (target *-jwt, *-traced) and off, in
    # alternation: the ratio of the medians, and the median of the per-round ratios (the runs next to each other)
    for suffix, variant in (("-jwt", "JWT authentication"), ("-traced", "tracing"),
                            ("-observed", "tracing and metrics")):
        for scenario, off in (("http-single", "proxy"), ("http-batch", "proxy"), ("ws-window", "proxy-ws"),
                              ("ws-window-batch", "proxy-ws")):
            on = value(scenario, off + suffix, "msgs_per_s")
            if on is None:
                continue
            label = LABELS.get(scenario, scenario)
            ratios.append(("%s msg/s, %s on / off" % (label, variant), ratio(on, value(scenario, off, "msgs_per_s")),
                           "≥ 0.9"))
            per_round = round_ratios(groups.get((scenario, off + suffix), []), groups.get((scenario, off), []))
            if per_round:
                ratios.append(("%s msg/s, %s on / off per round (%s)" % (label, variant, ", ".join(per_round)),
                               "%.2f" % statistics.median(float(r) for r in per_round), "≥ 0.9"))
            cpu_rounds = round_ratios(groups.get((scenario, off + suffix), []), groups.get((scenario, off), []),
                                      cpu_per_message)
            if cpu_rounds:
                ratios.append(("%s proxy CPU per message, %s on / off per round (%s)"
                               % (label, variant, ", ".join(cpu_rounds)),
                               "%.2f" % statistics.median(float(r) for r in cpu_rounds), "reported"))
    # --edge-compare: the same scenario with 2 edge instances (target *-e2) and 1 (*-e1), in alternation
    for scenario, base in (("http-single", "proxy"), ("http-batch", "proxy"), ("ws-window", "proxy-ws"),
                           ("ws-window-batch", "proxy-ws")):
        one, two = base + "-e1", base + "-e2"
        if value(scenario, two, "msgs_per_s") is not None:
            label = LABELS.get(scenario, scenario)
            ratios.append(("%s msg/s, 2 edge instances / 1" % label,
                           ratio(value(scenario, two, "msgs_per_s"), value(scenario, one, "msgs_per_s")), "reported"))
            cpu = lambda target: (value(scenario, target, "proxy_cpu") / value(scenario, target, "msgs_per_s")  # noqa: E731
                                  if value(scenario, target, "proxy_cpu") and value(scenario, target, "msgs_per_s")
                                  else None)
            ratios.append(("%s proxy CPU per message, 2 edge instances / 1" % label, ratio(cpu(two), cpu(one)),
                           "reported"))
    # --jar-compare: the same scenario and target with the other build (target *-b), in alternation
    for (scenario, b_target), b_runs in groups.items():
        if not b_target.endswith("-b") or (scenario, b_target[:-2]) not in groups:
            continue
        a_runs = groups[(scenario, b_target[:-2])]
        label = "%s, %s" % (LABELS.get(scenario, scenario), b_target[:-2])
        for what, measure in (("msg/s", msgs_per_s), ("proxy CPU per message", cpu_per_message)):
            per_round = round_ratios(b_runs, a_runs, measure)
            if per_round:
                ratios.append(("%s %s, build B / A per round (%s)" % (label, what, ", ".join(per_round)),
                               "%.2f" % statistics.median(float(r) for r in per_round), "reported"))
    extra_lines, cpu_ratios = cpu_section(groups)
    ratios += cpu_ratios
    # http-single at each connection count against the proxy and Pulsar's REST produce endpoint
    counts = sorted({int(t[len("proxy-c"):]) for s_, t in groups
                     if s_ == "http-single" and re.match(r"proxy-c\d+$", t)})
    for count in counts:
        lines_, ratios_ = paired_rounds(
            groups, "http-single", "proxy-c%d" % count, "pulsar-rest-c%d" % count,
            [("req/s", "msgs_per_s"), ("p99 ms", "p99_ms"), ("errors", "errors")], msgs_per_s,
            "## HTTP produce, 1 per request, %d connections: proxy and Pulsar's REST endpoint" % count,
            "HTTP single produce req/s at %d connections" % count)
        extra_lines += lines_
        ratios += ratios_
    lines_, ratios_ = paired_rounds(groups, "e2e", "proxy-ws", "pulsar-ws",
                                    [("p50 ms", "p50_ms"), ("p99 ms", "p99_ms")], p99,
                                    "## End-to-end latency per round", "End-to-end p99")
    extra_lines += lines_
    ratios += ratios_
    # a ratio of scenarios that did not run (--scenarios, --auth-compare, --tracing-compare, --edge-compare) says nothing
    ratios = [r for r in ratios if r[1] != "n/a"]
    with open(args.settings) as f:
        settings = f.read().strip()

    def per_thousand(line, columns):
        """Cores per 1000 msg/s from the medians: what a message costs the servers."""
        try:
            cores = sum(float(line[c]) for c in columns)
            return "%.3f" % (cores * 1000 / float(line["msgs_per_s"]))
        except (ValueError, ZeroDivisionError):
            return ""

    headers = ["Scenario", "Target", "Rounds", "msg/s", "MB/s", "p50 ms", "p99 ms", "Proxy CPU", "Proxy RSS MB",
               "Pulsar CPU", "Client CPU", "Errors", "Proxy CPU per 1k msg/s", "Server CPU per 1k msg/s", "Note"]
    lines = ["# Benchmark", "", "```", settings, "```", "",
             "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for line in table:
        lines.append("| " + " | ".join(str(x) for x in [
            LABELS.get(line["scenario"], line["scenario"]), line["target"], line["rounds"]]
            + [line[c] for c in NUMERIC]
            + [per_thousand(line, ["proxy_cpu"]), per_thousand(line, ["proxy_cpu", "pulsar_cpu"]), line["note"]])
            + " |")
    lines += ["", "| Ratio (medians) | Value | Target |", "|---|---|---|"]
    lines += ["| %s | %s | %s |" % r for r in ratios]
    lines += ["", "Medians over rounds. msg/s: messages the broker stored per second while the load ran (its "
              "msgInCounter); for WebSocket consume, distinct messages the client received per second, from its "
              "first message to its last (CPU then over the time the broker's msgOutCounter grew). "
              "MB/s: msg/s × message size. Latency: per scenario, see the README. CPU in cores "
              "(1.0 = one core busy) over the same window; RSS: the proxy's peak resident memory. Per 1k msg/s: "
              "cores per 1000 msg/s from the medians; server = proxy + Pulsar (Pulsar's WebSocket service runs "
              "inside the broker)."]
    lines += extra_lines
    markdown = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(markdown)
    with open(os.path.join(args.out, "summary.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["scenario", "target", "rounds"] + NUMERIC + ["note"])
        for line in table:
            writer.writerow([line["scenario"], line["target"], line["rounds"]] + [line[c] for c in NUMERIC]
                            + [line["note"]])
        for name, value_, target in ratios:
            writer.writerow(["ratio", name, "", value_, "", "", "", "", "", "", "", "", target])
    print(markdown)


# ---- soak -------------------------------------------------------------------------------------------------------------

def soak(args):
    with open(args.gatling_log, errors="replace") as f:
        log_text = f.read()
    stats = gatling_global(log_text)
    received = re.search(r"WebSocket consumers: (\d+) messages received", log_text)
    failed_assertions = [line for line in log_text.splitlines() if re.search(r": false \(actual", line)]
    with open(os.path.join(args.out, "soak-rss.csv")) as f:
        samples = [(int(r["seconds"]), int(r["proxy_rss_mb"])) for r in csv.DictReader(f) if r["proxy_rss_mb"]]
    rss = [mb for _, mb in samples]
    # "At start" is the idle proxy before any load; whether memory stays flat is read from a minute into the load
    # (heap, pools and caches have grown to their working size by then) to the end, as a least-squares slope.
    settled = [(t, mb) for t, mb in samples if t >= args.ramp + 60]
    slope = None
    if len(settled) >= 3:
        mean_t = statistics.mean(t for t, _ in settled)
        mean_mb = statistics.mean(mb for _, mb in settled)
        variance = sum((t - mean_t) ** 2 for t, _ in settled)
        if variance:
            slope = sum((t - mean_t) * (mb - mean_mb) for t, mb in settled) / variance * 60
    total = stats if stats else {"total": "?", "ok": "?", "ko": "?"}
    lines = [
        "# Soak", "",
        "| | |", "|---|---|",
        "| length | %s min |" % args.minutes,
        "| WebSocket consumers | %s (on %s) |" % (args.consumers, args.ws_target),
        "| proxy JVM | -Xms%s -Xmx%s -XX:+AlwaysPreTouch, MALLOC_ARENA_MAX=2 |" % (args.heap, args.heap),
        "| requests and checks (Gatling) | %s, %s failed |" % (total["total"], total["ko"]),
        "| messages received by the WebSocket consumers | %s |" % (received.group(1) if received else "?"),
        "| proxy RSS at start | %d MB |" % (args.rss_start_kb // 1024),
        "| proxy RSS at end | %d MB |" % (args.rss_end_kb // 1024),
        "| proxy RSS min / max during the run | %s / %s MB |" % ((min(rss), max(rss)) if rss else ("?", "?")),
        "| proxy RSS a minute into the load (%s s) / at end | %s |" % (
            args.ramp + 60, "%d / %d MB" % (settled[0][1], settled[-1][1]) if settled else "?"),
        "| proxy RSS trend from then to the end | %s |" % ("%+.1f MB/min" % slope if slope is not None else "?"),
        "| Gatling assertions | %s |" % ("passed" if args.exit_status == 0 else
                                         "FAILED (exit %d)" % args.exit_status),
    ]
    lines += ["", "Failed assertions:", ""] + ["    " + a for a in failed_assertions] if failed_assertions else []
    markdown = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "soak.md"), "w") as f:
        f.write(markdown)
    print(markdown)


# ---- soak with faults -------------------------------------------------------------------------------------------------

def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def trend(points):
    """Least-squares slope of (seconds, value) points, per minute; None with fewer than 3 points."""
    if len(points) < 3:
        return None
    mean_t = statistics.mean(t for t, _ in points)
    mean_v = statistics.mean(v for _, v in points)
    variance = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / variance * 60 if variance else None


def series_row(label, points, unit="MB"):
    if not points:
        return "| %s | no samples |" % label
    values = [v for _, v in points]
    slope = trend(points)
    return "| %s | %d samples: first %.0f, last %.0f, min %.0f, max %.0f %s; trend %s |" % (
        label, len(points), values[0], values[-1], min(values), max(values), unit,
        "%+.2f %s/min" % (slope, unit) if slope is not None else "?")


def fault_soak(args):
    out = args.out
    with open(os.path.join(out, "load", "load.json")) as f:
        load = json.load(f)
    verify = {}
    if os.path.exists(os.path.join(out, "load", "verify.json")):
        with open(os.path.join(out, "load", "verify.json")) as f:
            verify = json.load(f)
    with open(os.path.join(out, "settings.txt")) as f:
        settings = f.read().strip().splitlines()
    counts = load["counts"]
    kills = [(int(r["kill"]), float(r["killed_epoch"]), float(r["broker_ready_epoch"]))
             for r in read_csv(os.path.join(out, "kills.csv"))]
    health = [(float(r["epoch"]), r["status"]) for r in read_csv(os.path.join(out, "health.csv"))]
    rss = [(int(r["epoch"]), int(r["proxy_rss_kb"]) / 1024) for r in read_csv(os.path.join(out, "rss.csv"))
           if r["proxy_rss_kb"] and int(r["proxy_rss_kb"]) > 0]
    heap = [(int(r["epoch"]), int(r["heap_used_kb"]) / 1024) for r in read_csv(os.path.join(out, "heap.csv"))]
    start, end = args.load_start, args.load_end
    # Memory is judged over the last 30 minutes of the load (the second half of a shorter run).
    window = min(1800, args.seconds // 2)
    since = start + args.seconds - window
    rss_window = [(t - since, v) for t, v in rss if since <= t <= end]
    heap_window = [(t - since, v) for t, v in heap if since <= t <= end]
    rss_slope = trend(rss_window)

    lines = ["# Soak with faults", ""] + ["    " + s for s in settings] + [""]
    lines += ["| | |", "|---|---|",
              "| load | %d s (%.0f s with the drain), %d broker kills (SIGKILL, restart at once on the same data) |"
              % (args.seconds, load["elapsedSeconds"], len(kills))]
    lost_total = verify.get("lost")
    lines += ["", "## 1. Acknowledged messages lost", "",
              "| source | topic | sent | acknowledged | stored (distinct) | lost | duplicates | stored, not acknowledged |",
              "|---|---|---|---|---|---|---|---|"]
    for name in ("single", "batch", "ws"):
        s = load["sources"][name]
        v = verify.get(name, {})
        lines.append("| %s | %s | %d | %d | %s | **%s** | %s | %s |" % (
            name, s["topic"].rsplit("/", 1)[-1], s["sent"], s["acked"], v.get("storedDistinct", "?"),
            v.get("lost", "?"), v.get("duplicates", "?"), v.get("storedNotAcked", "?")))
    lines += ["", "Read back from the earliest message with the Java client straight from the broker "
              "(verify exit %d)." % args.verify_exit]

    lines += ["", "## 2. Requests and frames without an answer", "", "| counter | count |", "|---|---|"]
    for key, value in counts.items():
        lines.append("| %s | %d |" % (key, value))
    lines += ["", "Unanswered (HTTP: no status within the client timeout or a connection error; WebSocket: no ack "
              "within it or the socket closed with the frame in flight): **%d**." % load["unanswered"]]
    lines += ["", "Consumers: SSE on `ws` received %d distinct of %d acknowledged (%d events in all); the HTTP "
              "consumer instance on `single` %d distinct of %d (%d in all)." % (
                  load["sources"]["ws"]["consumedDistinct"], load["sources"]["ws"]["acked"],
                  load["sources"]["ws"]["consumedTotal"], load["sources"]["single"]["consumedDistinct"],
                  load["sources"]["single"]["acked"], load["sources"]["single"]["consumedTotal"])]

    lines += ["", "## 3. Proxy memory, the last %d minutes of the load" % (window // 60), "", "| | |", "|---|---|",
              series_row("RSS (every 30 s)", rss_window),
              series_row("heap used after a full GC (every 120 s)", heap_window),
              series_row("RSS, the whole run", [(t - start, v) for t, v in rss])]

    lines += ["", "## 4. /health/ready around each kill", "",
              "| kill | broker back after | proxy not ready after | proxy ready again after | statuses seen |",
              "|---|---|---|---|---|"]
    recovered = True
    for n, killed, ready in kills:
        following = [(t, s) for t, s in health if t >= killed]
        down = next(((t, s) for t, s in following if s != "200"), None)
        up = next(((t, s) for t, s in following if s == "200" and down and t > down[0]), None)
        next_kill = next((k for _, k, _ in kills if k > killed), end)
        if down and down[0] > next_kill:
            down, up = None, None
        if down and not up:
            recovered = False
        seen = sorted({s for t, s in following if t < next_kill})
        lines.append("| %d | %.0f s | %s | %s | %s |" % (
            n, ready - killed, "%.0f s (%s)" % (down[0] - killed, down[1]) if down else "stayed ready",
            # bench.sh polls the broker once a second or slower, so the proxy may see it first: then "0 s".
            "%.0f s (%.0f s after the broker)" % (up[0] - killed, max(0.0, up[0] - ready)) if up else
            ("-" if not down else "NOT AGAIN"), ", ".join(seen)))
    lines += ["", "Every change of `/health/ready` (seconds since the load started):", ""]
    lines.append("    " + ", ".join("%.0f: %s" % (t - start, s) for t, s in health))

    failures = []
    if lost_total != 0:
        failures.append("acknowledged messages lost: %s" % lost_total)
    if load["unanswered"] != 0:
        failures.append("requests or frames without an answer: %d" % load["unanswered"])
    if args.proxy_alive != "yes":
        failures.append("the proxy died")
    if not recovered:
        failures.append("the proxy was not ready again after a kill")
    # A shorter run is still warming up (RSS grows for its first 10-25 minutes): its memory is shown, not judged.
    judged = args.seconds >= 1200
    if judged and rss_slope is not None and abs(rss_slope) > 1.0:
        failures.append("RSS trend %+.2f MB/min over the last %d min (flat: within ±1 MB/min)" % (
            rss_slope, window // 60))
    lines += ["", "## Verdict", "", "**%s**" % ("PASSED" if not failures else "FAILED: " + "; ".join(failures)),
              "", "(flat memory: an RSS trend within ±1 MB/min over the window%s)" % (
                  "" if judged else "; not judged on a run shorter than 20 minutes")]
    markdown = "\n".join(lines) + "\n"
    with open(os.path.join(out, "soak-faults.md"), "w") as f:
        f.write(markdown)
    print(markdown)
    sys.exit(1 if failures else 0)


# ---- wrk script -------------------------------------------------------------------------------------------------------

def wrk_script(args):
    payload = base64.b64encode(random.Random(42).randbytes(args.size)).decode()
    body = json.dumps({"messages": [{"payload": payload}] * args.messages}, separators=(",", ":"))
    print('wrk.method = "POST"')
    print('wrk.headers["Content-Type"] = "application/json"')
    if args.token_file:
        with open(args.token_file) as f:
            print('wrk.headers["Authorization"] = "Bearer %s"' % f.read().strip())
    print("wrk.body = [[%s]]" % body)


def wrk_rest_script(args):
    """Pulsar's REST produce (PIP-64): a topic without a schema gets the STRING schema, and payload is the message
    text itself (not base64), so the payload is --size characters of the same random base64 text: the broker stores
    --size bytes, as the proxy does from its base64 payload."""
    payload = base64.b64encode(random.Random(42).randbytes(args.size)).decode()[:args.size]
    body = json.dumps({"producerName": "bench-rest", "messages": [{"payload": payload}]}, separators=(",", ":"))
    print('wrk.method = "POST"')
    print('wrk.headers["Content-Type"] = "application/json"')
    print("wrk.body = [[%s]]" % body)


# The 10-field Avro record of the http-avro scenarios, its natural JSON form and its Avro binary size.
AVRO_SCHEMA = {"type": "record", "name": "BenchEvent", "namespace": "bench", "fields": [
    {"name": "id", "type": "string"},
    {"name": "seq", "type": "long"},
    {"name": "amount", "type": "double"},
    {"name": "quantity", "type": "int"},
    {"name": "flag", "type": "boolean"},
    {"name": "createdAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "category", "type": "string"},
    {"name": "score", "type": "float"},
    {"name": "region", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": None}]}
AVRO_VALUE = {"id": "3f0c5d2e-8a41-4b7e-9c1a-2d6e5f7a8b90", "seq": 123456789012, "amount": 1234.56,
              "quantity": 42, "flag": True, "createdAt": "2026-01-02T03:04:05.678Z", "category": "electronics",
              "score": 0.75, "region": "eu-west-1", "note": "a short free-text note of the event"}


def zigzag_varint(n):
    n = (n << 1) ^ (n >> 63)
    out = 0
    while True:
        out += 1
        n >>= 7
        if n == 0:
            return out


def avro_size(value):
    """The Avro binary size of AVRO_VALUE under AVRO_SCHEMA."""
    def string(s):
        b = s.encode()
        return zigzag_varint(len(b)) + len(b)
    return (string(value["id"]) + zigzag_varint(value["seq"]) + 8 + zigzag_varint(value["quantity"]) + 1
            + zigzag_varint(1767323045678) + string(value["category"]) + 4 + string(value["region"])
            + zigzag_varint(1) + string(value["note"]))


def wrk_avro_script(args):
    """POSTs N 10-field records: as JSON values (typed topic) or as payloads of their Avro size (untyped topic)."""
    if args.kind == "typed":
        messages = [{"value": AVRO_VALUE}] * args.messages
    else:
        payload = base64.b64encode(random.Random(42).randbytes(avro_size(AVRO_VALUE))).decode()
        messages = [{"payload": payload}] * args.messages
    print('wrk.method = "POST"')
    print('wrk.headers["Content-Type"] = "application/json"')
    print("wrk.body = [[%s]]" % json.dumps({"messages": messages}, separators=(",", ":")))


def avro_schema_upload(args):
    """The body of Pulsar's schema upload (admin REST / pulsar-admin schemas upload) for the http-avro topic."""
    print(json.dumps({"type": "AVRO", "schema": json.dumps(AVRO_SCHEMA), "properties": {}}))


# ---- OTLP sink --------------------------------------------------------------------------------------------------------

def otlp_sink(args):
    """Answers OTLP/HTTP exports (POST /v1/traces) with an empty success and writes, after each, the requests and
    bytes received so far to --out: a collector that keeps nothing, so that the proxy's exporter does its real work."""
    import http.server
    totals = {"requests": 0, "bytes": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            totals["requests"] += 1
            totals["bytes"] += len(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()
            with open(args.out, "w") as f:
                f.write("%d export requests, %d bytes\n" % (totals["requests"], totals["bytes"]))

        def log_message(self, *_):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("row")
    p.add_argument("--dir", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--round", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--clk-tck", type=int, required=True)
    p.add_argument("--exit-status", type=int, default=0)
    p.add_argument("--pulsar-lib", required=True)
    p.add_argument("--expected", type=int, default=0, help="messages a ws-consume client should receive")
    p.add_argument("--offered", type=int, default=0, help="messages a fixed-rate client should send (rate x duration)")
    p.set_defaults(func=row)
    p = commands.add_parser("summary")
    p.add_argument("--results", required=True)
    p.add_argument("--settings", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=summary)
    p = commands.add_parser("soak")
    for name in ("--out", "--gatling-log", "--minutes", "--consumers", "--heap", "--ws-target"):
        p.add_argument(name, required=True)
    p.add_argument("--rss-start-kb", type=int, required=True)
    p.add_argument("--rss-end-kb", type=int, required=True)
    p.add_argument("--exit-status", type=int, required=True)
    p.add_argument("--ramp", type=int, default=0, help="seconds before the producers start")
    p.set_defaults(func=soak)
    p = commands.add_parser("fault-soak")
    p.add_argument("--out", required=True)
    for name in ("--load-start", "--load-end", "--seconds", "--kill-every", "--load-exit", "--verify-exit"):
        p.add_argument(name, type=int, required=True)
    p.add_argument("--proxy-alive", required=True)
    p.set_defaults(func=fault_soak)
    p = commands.add_parser("wrk-script")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--messages", type=int, required=True)
    p.add_argument("--token-file", help="send Authorization: Bearer with the token in this file")
    p.set_defaults(func=wrk_script)
    p = commands.add_parser("wrk-rest-script")
    p.add_argument("--size", type=int, required=True)
    p.set_defaults(func=wrk_rest_script)
    p = commands.add_parser("wrk-avro-script")
    p.add_argument("--kind", choices=["typed", "bytes"], required=True)
    p.add_argument("--messages", type=int, required=True)
    p.set_defaults(func=wrk_avro_script)
    p = commands.add_parser("otlp-sink")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=otlp_sink)
    p = commands.add_parser("avro-schema")
    p.set_defaults(func=avro_schema_upload)
    p = commands.add_parser("avro-size")
    p.set_defaults(func=lambda a: print(avro_size(AVRO_VALUE)))
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

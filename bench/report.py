"""Prints the benchmark's table (markdown) from the results bench/run.sh collected.

    python3 bench/report.py target/bench/run/results.jsonl [--data "users=..."] [--rounds N]
        [--duration S] [--connections N]

Each line of the results is one JSON object: `{"kind": "load", ...}` (one wrk run: endpoint,
server, round, the `BENCH_RESULT` of bench/wrk.lua and the largest RSS sampled during the run),
`{"kind": "sql", ...}` (statements of one request) or `{"kind": "hwm", ...}` (a server's VmHWM).
"""

import argparse
import json
import os
import statistics
import subprocess
from collections import defaultdict

SERVERS = ["drf", "blog", "hand"]
SERVER_NAMES = {"drf": "DRF (gunicorn, 2 sync workers)", "blog": "Rust blog", "hand": "hand-written"}
MAIN = [
    ("root", "API root"),
    ("list", "article list, page 1"),
    ("deep", "article list, deep page"),
    ("page100", "article list, page_size=100"),
    ("search", "list: search + ordering + filter"),
    ("detail", "article detail (nested comments)"),
    ("list_jwt", "article list with a JWT"),
    ("create", "article create with a JWT"),
]
LOGIN = [("login", "login (POST /api/token/)")]


def load_results(path):
    runs = defaultdict(list)  # (endpoint, server) -> [record]
    sql = {}
    hwm = {}
    extra = defaultdict(dict)  # kind -> server -> value ("hash", "rss_end")
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            if record["kind"] == "load":
                runs[(record["endpoint"], record["server"])].append(record)
            elif record["kind"] == "sql":
                sql[(record["endpoint"], record["server"])] = record["statements"]
            elif record["kind"] == "hwm":
                hwm[record["server"]] = record["kib"]
            elif record["kind"] == "hash":
                extra["hash"][record["server"]] = record["algorithm"]
            elif record["kind"] == "rss_end":
                extra["rss_end"][record["server"]] = record["kib"]
    return runs, sql, hwm, extra


def rate(record):
    result = record["result"]
    return result["requests"] / (result["duration_us"] / 1e6) if result["duration_us"] else 0.0


def ms(us):
    if us is None:
        return "none finished"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 10_000:
        return f"{us / 1000:.0f} ms"
    return f"{us / 1000:.2f} ms"


def mib(kib):
    return f"{kib / 1024:.0f} MiB" if kib else "?"


def summary(records):
    rates = [rate(r) for r in records]
    results = [r["result"] for r in records]
    finished = [r for r in results if r["requests"]]  # wrk reports 0 us when nothing finished
    return {
        "mean": statistics.mean(rates),
        "min": min(rates),
        "max": max(rates),
        "p50": statistics.median(r["p50_us"] for r in finished) if finished else None,
        "p99": statistics.median(r["p99_us"] for r in finished) if finished else None,
        "errors": sum(r["status_errors"] for r in results),
        "socket": sum(r["socket_errors"] for r in results),
        "rss": max(r["rss_kib"] for r in records),
        "path": records[0].get("path", ""),
        "method": records[0].get("method", ""),
    }


def fmt_rate(s):
    if len({round(s["min"], 1), round(s["max"], 1)}) == 1:
        return f"{s['mean']:,.1f}"
    return f"{s['mean']:,.1f} ({s['min']:,.1f}..{s['max']:,.1f})"


def fmt_ratio(a, b):
    if not a or not b or not b["mean"]:
        return ""
    return f"{a['mean'] / b['mean']:,.2f}x"


def table(rows, runs, sql):
    out = [
        "| endpoint | server | req/s mean (min..max) | p50 | p99 | non-2xx | peak RSS | SQL/req | blog vs DRF | blog vs hand |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint, title in rows:
        sums = {server: summary(runs[(endpoint, server)]) for server in SERVERS if runs.get((endpoint, server))}
        if not sums:
            continue
        first = next(iter(sums.values()))
        label = f"{title}<br>`{first['method']} {first['path']}`"
        for server, s in sums.items():
            errors = str(s["errors"]) + (f" (+{s['socket']} socket)" if s["socket"] else "")
            statements = sql.get((endpoint, server), "")
            vs_drf = fmt_ratio(s, sums.get("drf")) if server == "blog" else ""
            vs_hand = fmt_ratio(s, sums.get("hand")) if server == "blog" else ""
            out.append(
                f"| {label} | {SERVER_NAMES[server]} | {fmt_rate(s)} | {ms(s['p50'])} | {ms(s['p99'])} "
                f"| {errors} | {mib(s['rss'])} | {statements} | {vs_drf} | {vs_hand} |"
            )
            label = ""
    return out


def login_load(runs):
    out = []
    rows = []
    for server in ("drf", "blog"):
        alone = runs.get(("root_alone", server))
        during = runs.get(("root_during_logins", server))
        logins = runs.get(("login_bg", server))
        if not (alone and during and logins):
            continue
        a, d, l = summary(alone), summary(during), summary(logins)
        rows.append(
            f"| {SERVER_NAMES[server]} | {ms(a['p50'])} / {ms(a['p99'])} | {ms(d['p50'])} / {ms(d['p99'])} "
            f"| {d['mean']:,.1f} | {l['mean']:,.1f} | {d['errors'] + l['errors']} | {mib(max(d['rss'], l['rss']))} |"
        )
    if rows:
        out += [
            "",
            "`GET /api/` (4 connections) with 8 logins in flight (8 more connections), servers on both cores:",
            "",
            "| server | /api/ p50 / p99 alone | /api/ p50 / p99 during logins | /api/ req/s during | logins/s | non-2xx | peak RSS |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ] + rows
    return out


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__)), check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--data", default="?")
    parser.add_argument("--rounds", default="?")
    parser.add_argument("--duration", default="?")
    parser.add_argument("--connections", default="?")
    args = parser.parse_args()
    runs, sql, hwm, extra = load_results(args.results)

    lines = [
        f"Benchmark at commit {git_commit()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f} at the end; data: {args.data}.",
        f"Servers pinned to core 1, wrk (1 thread, {args.connections} connections) to core 0; "
        f"{args.rounds} round(s) of {args.duration} s per endpoint and server, servers alternating (the order reversed every other round). "
        "req/s: mean of the rounds (min..max); p50/p99: median of the rounds; non-2xx: responses with a "
        "status >= 400 over all rounds (+ socket errors and timeouts); peak RSS: largest resident set "
        "sampled every 0.1 s during the runs (gunicorn: master + workers); SQL/req: statements of one "
        "request; blog vs DRF/hand: ratio of mean req/s.",
        "",
    ]
    lines += table(MAIN, runs, sql)
    login = table(LOGIN, runs, sql)
    if len(login) > 2:
        hashes = "; ".join(f"{SERVER_NAMES[s]} `{h}`" for s, h in extra["hash"].items())
        lines += ["", "Login (8 connections, runs of at least 5 s), bound by the password hash, not by the "
                  f"framework. The hashes verified (after the first login): {hashes or '?'}.", ""]
        lines += login
    lines += login_load(runs)
    if hwm:
        lines += ["", "VmHWM after the pinned runs (includes the password hashes of the JWT logins): "
                  + ", ".join(f"{SERVER_NAMES[s]} {mib(k)}" for s, k in hwm.items() if k) + "."]
    if extra["rss_end"]:
        lines += ["RSS at the end (after the logins): "
                  + ", ".join(f"{SERVER_NAMES[s]} {mib(k)}" for s, k in extra["rss_end"].items() if k) + "."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Dispatch → run start latency (issue 9, scenario 3): events dispatched over HTTP at a fixed rate (open loop) to a
source with one subscription to a noop job, one inlet-worker with default settings; beside it pgqueuer's
enqueue → start latency at the same rate. Run by scripts/bench-latency.

    python latency.py run --admin-url URL --bin DIR [--rate 500] [--seconds 30]
    python latency.py pgqueuer-consume --url URL --expect N --out FILE   (one pgqueuer consumer)
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worker_support as support  # noqa: E402

WARMUP_SECONDS = 2


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def open_loop(rate, seconds, send):
    """Calls `send(i, warm)` at `rate` per second for `seconds` (after a warm-up), on schedule whatever the
    responses take (open loop); returns the results of the calls."""
    loop = asyncio.get_running_loop()
    total = int(rate * (seconds + WARMUP_SECONDS))
    start = loop.time() + 0.05
    tasks = []
    for i in range(total):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i, i < rate * WARMUP_SECONDS)))
    return await asyncio.gather(*tasks)


def percentiles(values):
    values = sorted(values)
    if not values:
        return {"count": 0}

    def at(q):
        return values[min(len(values) - 1, int(q * len(values)))]

    return {"count": len(values), "p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": values[-1],
            "values": values}


# MARK: Inlet


async def inlet_load(base, token, rate, seconds):
    import aiohttp

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    statuses = {}
    async with aiohttp.ClientSession(base, headers=headers,
                                     connector=aiohttp.TCPConnector(limit=256)) as session:

        async def send(i, warm):
            body = {"source": "latency", "payload": {"i": i, "warm": warm, "sent": time.time()}}
            try:
                async with session.post("/v1/events/dispatch", json=body) as response:
                    await response.read()
                    status = response.status
            except Exception:
                status = None
            statuses[status] = statuses.get(status, 0) + 1

        await open_loop(rate, seconds, send)
    return statuses


def call(base, method, path, token, body=None):
    import urllib.request

    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Authorization", "Bearer " + token)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def run_inlet(admin_url, bin_dir, rate, seconds):
    name = "inlet_bench_latency"
    url = support.fresh_database(admin_url, name)
    port = free_port()
    admin_token = "inl_admin_bench_" + os.urandom(12).hex()
    env = support.inlet_environment(url, INLET_PORT=str(port), INLET_HOST="127.0.0.1", INLET_ADMIN_TOKEN=admin_token)
    support.migrate(bin_dir, env)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([os.path.join(bin_dir, "inlet-server"), "serve"], env=env, cwd=support.ROOT)
    processes = [server]
    try:
        deadline = time.time() + 30
        while True:
            try:
                call(base, "GET", "/readyz", "")
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit("bench-latency: the server did not become ready")
                time.sleep(0.1)
        project = call(base, "POST", "/v1/projects", admin_token, {"name": "bench-latency"})
        token = call(base, "POST", f"/v1/projects/{project['id']}/api-keys", admin_token, {})["token"]
        source = call(base, "POST", "/v1/event-sources", token, {"name": "latency"})
        job = call(base, "POST", "/v1/jobs", token, {"name": "noop", "kind": "noop"})
        call(base, "POST", f"/v1/event-sources/{source['id']}/subscribe", token,
             {"target_type": "job", "target_id": job["id"]})
        worker = subprocess.Popen([os.path.join(bin_dir, "inlet-worker")], env=env, cwd=support.ROOT)
        processes.append(worker)
        time.sleep(1)  # the worker connects and LISTENs
        statuses = asyncio.run(inlet_load(base, token, rate, seconds))
        expected = statuses.get(202, 0) + statuses.get(200, 0)
        deadline = time.time() + 30
        while time.time() < deadline:
            done = int(support.psql(url, "SELECT count(*) FROM run_attempts"))
            if done >= expected:
                break
            time.sleep(0.2)
        server_rss = support.peak_rss_mib(server.pid)
        worker_rss = support.peak_rss_mib(worker.pid)
        # run_attempts.started_at is the worker's clock when the claimed run started; events.received_at is now()
        # of the dispatch transaction (when the server began storing the accepted event); `sent` is the client's
        # clock just before the request. One machine, one clock.
        rows = support.psql(url, """
            SELECT 1000 * extract(epoch FROM a.started_at - e.received_at),
                   1000 * (extract(epoch FROM a.started_at) - (e.payload->>'sent')::float8)
            FROM run_attempts AS a
            JOIN job_runs AS r ON r.project_id = a.project_id AND r.id = a.run_id
            JOIN events AS e ON e.project_id = r.project_id AND e.id = r.event_id
            WHERE a.attempt = 1 AND NOT (e.payload->>'warm')::boolean
        """)
        pairs = [tuple(map(float, line.split("|"))) for line in rows.splitlines() if line]
    finally:
        support.stop(processes)
        support.drop_database(admin_url, name)
    return {"statuses": {str(k): v for k, v in statuses.items()},
            "accepted": percentiles([p[0] for p in pairs]), "sent": percentiles([p[1] for p in pairs]),
            "server_rss_mib": server_rss, "worker_rss_mib": worker_rss}


# MARK: pgqueuer


async def pgqueuer_load(url, rate, seconds):
    import asyncpg
    from pgqueuer import AsyncpgPoolDriver, Queries

    pool = await asyncpg.create_pool(url, min_size=4, max_size=16)
    queries = Queries(AsyncpgPoolDriver(pool))
    failures = 0

    async def send(i, warm):
        nonlocal failures
        payload = json.dumps({"warm": warm, "sent": time.time()}).encode()
        try:
            await queries.enqueue("noop", payload)
        except Exception:
            failures += 1

    await open_loop(rate, seconds, send)
    await pool.close()
    return failures


async def consume(url, expect, out):
    import asyncpg
    from pgqueuer import AsyncpgDriver, Queries, QueueManager

    connection = await asyncpg.connect(url)
    manager = QueueManager(Queries(AsyncpgDriver(connection)))
    latencies = []

    @manager.entrypoint("noop")
    async def noop(job):
        started = time.time()
        payload = json.loads(job.payload)
        if not payload["warm"]:
            latencies.append(1000 * (started - payload["sent"]))
        if len(latencies) >= expect:
            manager.shutdown.set()

    await manager.run()  # pgqueuer's defaults (batch_size 10, LISTEN/NOTIFY wake-ups)
    with open(out, "w") as f:
        json.dump(latencies, f)


def run_pgqueuer(admin_url, rate, seconds):
    name = "inlet_bench_pgqueuer_latency"
    url = support.fresh_database(admin_url, name)
    out = tempfile.mktemp(suffix=".json")
    try:
        support.run(support.install_pgqueuer(url))
        expect = int(rate * seconds)
        consumer = subprocess.Popen([sys.executable, os.path.abspath(__file__), "pgqueuer-consume", "--url", url,
                                     "--expect", str(expect), "--out", out])
        time.sleep(2)  # connected and listening
        failures = support.run(pgqueuer_load(url, rate, seconds))
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.terminate()
            consumer.wait()
        latencies = json.load(open(out)) if os.path.exists(out) else []
    finally:
        support.drop_database(admin_url, name)
        if os.path.exists(out):
            os.unlink(out)
    return {"failures": failures, "sent": percentiles(latencies)}


# MARK: Report


def plot(series, path, rate, seconds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 4.8))
    for label, stats, colour in series:
        values = stats.get("values") or []
        if not values:
            continue
        fractions = [100 * (i + 1) / len(values) for i in range(len(values))]
        axes.plot(values, fractions, label=label, color=colour, linewidth=1.4)
    axes.axvline(3, color="#2f855a", linestyle=":", linewidth=1, label="target p50 3 ms")
    axes.axvline(10, color="#c53030", linestyle=":", linewidth=1, label="target p99 10 ms")
    axes.set_xscale("log")
    axes.set_xlabel("latency to run start (ms, log scale)")
    axes.set_ylabel("percentile of runs")
    axes.set_title(f"Dispatch → run start, {rate} events/s for {seconds} s (cumulative)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def row(label, stats):
    if not stats.get("count"):
        return f"| {label} | 0 | | | | |"
    return (f"| {label} | {stats['count']:,} | {stats['p50']:.2f} | {stats['p90']:.2f} | {stats['p99']:.2f} | "
            f"{stats['max']:.1f} |")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--admin-url", required=True)
    run.add_argument("--bin", required=True)
    run.add_argument("--rate", type=int, default=500)
    run.add_argument("--seconds", type=int, default=30)
    run.add_argument("--only", default="inlet,pgqueuer")
    consumer = sub.add_parser("pgqueuer-consume")
    consumer.add_argument("--url", required=True)
    consumer.add_argument("--expect", type=int, required=True)
    consumer.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.command == "pgqueuer-consume":
        asyncio.run(consume(args.url, args.expect, args.out))
        return

    only = set(args.only.split(","))
    inlet = run_inlet(args.admin_url, args.bin, args.rate, args.seconds) if "inlet" in only else None
    if inlet:
        print(f"bench-latency: Inlet HTTP statuses {inlet['statuses']}, peak RSS server "
              f"{inlet['server_rss_mib']:.0f} MiB, worker {inlet['worker_rss_mib']:.0f} MiB", flush=True)
    pgq = run_pgqueuer(args.admin_url, args.rate, args.seconds) if "pgqueuer" in only else None
    lines = ["| measured | runs | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |", "|---|---:|---:|---:|---:|---:|"]
    series = []
    if inlet:
        lines.append(row("Inlet: event accepted (received_at) → run start", inlet["accepted"]))
        lines.append(row("Inlet: client send → run start", inlet["sent"]))
        series += [("Inlet, accepted → start", inlet["accepted"], "#2b6cb0"),
                   ("Inlet, client send → start", inlet["sent"], "#63b3ed")]
    if pgq:
        lines.append(row("pgqueuer (defaults): client enqueue → start", pgq["sent"]))
        series.append(("pgqueuer, enqueue → start", pgq["sent"], "#c05621"))
    table = "\n".join(lines)
    print(table)
    png = os.path.join(support.ROOT, "docs", "bench", "latency.png")
    os.makedirs(os.path.dirname(png), exist_ok=True)
    plot(series, png, args.rate, args.seconds)
    summary = {"inlet": inlet, "pgqueuer": pgq}
    for part in summary.values():
        for stats in (part or {}).values():
            if isinstance(stats, dict):
                stats.pop("values", None)
    with open(os.path.join(tempfile.gettempdir(), "bench-latency.json"), "w") as out:
        json.dump(summary, out, indent=1)
    with open(os.path.join(tempfile.gettempdir(), "bench-latency-table.md"), "w") as out:
        out.write(table + "\n")
    if only == {"inlet", "pgqueuer"}:
        support.write_section("latency", section(table, inlet, args.rate, args.seconds, args.admin_url))
        print("bench-latency: wrote docs/benchmarks.md (latency) and docs/bench/latency.png")


def section(table, inlet, rate, seconds, admin_url):
    rss = (f" Peak RSS during the run: server {inlet['server_rss_mib']:.0f} MiB, worker "
           f"{inlet['worker_rss_mib']:.0f} MiB." if inlet and inlet.get("server_rss_mib") else "")
    statuses = f" HTTP statuses: {inlet['statuses']}." if inlet else ""
    return f"""## Dispatch → run start latency (issue 9, scenario 3)

Measured by `scripts/bench-latency` on {support.machine_line(admin_url)}. An open-loop aiohttp client sends
`POST /v1/events/dispatch` at {rate} events/s for {seconds} s (after {WARMUP_SECONDS} s of warm-up that is not
counted) to `inlet-server` (release), for a source with one subscription to a `noop` job; one `inlet-worker`
(release, default settings: it wakes on `NOTIFY inlet_runs`, polls every second otherwise). Latencies come from
the tables once every run is done: run start is the first attempt's `run_attempts.started_at` (the worker's clock
when its claim returned the run); acceptance is `events.received_at`, `now()` of the dispatch transaction that
stored the event (the server's clock when it began storing the accepted request); client send is the client's
clock just before the request, carried in the payload. One machine, one clock. pgqueuer: one process with its
defaults (batch 10, LISTEN/NOTIFY) consuming a no-op entrypoint that takes its start time with `time.time()`; an
open-loop producer enqueues at the same rate (asyncpg pool), the payload carries the send time.{statuses}{rss}
Targets: p50 ≤ 3 ms, p99 ≤ 10 ms.

![latency distribution](bench/latency.png)

{table}

What the figures include: between `received_at` and the run's start come the dispatch transaction's own commit
(a WAL flush: `fdatasync` takes 3.4 ms on this disk, `pg_test_fsync`), the `NOTIFY inlet_runs` sent after it,
the worker's wake-up (a dedicated LISTEN thread that polls its socket, no timer) and the claim statement. The claim
commits asynchronously (it waits for no flush: 0.38 ms against 5.1 ms for a synchronous claim of one run), so the
floor is the dispatch's WAL flush plus three round trips (the fastest runs started about 1 ms after acceptance;
the spread above that is waiting for a core). The client-side column adds HTTP and the client's own
scheduling: at 500 requests/s on 2 cores shared with compilers the Python client and the server fall behind, which
is why it can be far above the server-side one under load. With its defaults pgqueuer drains only a few thousand
jobs/s here (see the burn-down); when the machine is loaded it falls behind at 500/s and its latency grows to
seconds. On 2026-11-27, under a load average of 8-12 from compilers: before claims committed asynchronously,
Inlet's accepted → start was p50 196 ms, p99 718 ms; after, p50 17 ms, p99 624 ms (pgqueuer: p50 19 s); the table
above is from `scripts/bench` with no other load.

On 2 cores every step waits for a core, so the latency depends on what else runs: measured right after the worker
burn-down (a checkpoint and autovacuum of 100,000-row tables still running), the same code gave p50 3.1 ms and p99
649 ms; `scripts/bench` therefore runs this scenario first and lets PostgreSQL settle (CHECKPOINT, autovacuum idle)
before every scenario.
"""


if __name__ == "__main__":
    main()

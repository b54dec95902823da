"""Fair share (issue 15): four scenarios, each beside its baseline in the same invocation. Run by
scripts/bench-fairness; every scenario uses release binaries, default settings, one scratch database.

1. burst:   project B dispatches noop events at 50/s over HTTP; its dispatch → start p99 alone, then while
            project A has a 100,000-run burst queued (measured only while A's burst lasts). The same with the
            pre-fairness worker (--baseline-bin), to show what the burst did before.
2. slow:    an http job answering in 2 s with 10,000 queued runs next to a healthy http job dispatched at 100/s;
            the healthy job's dispatch → start p99 alone, then next to the slow backlog.
3. dead:    an http job whose endpoint refuses connections, 10,000 queued runs: attempts per second and the CPU of
            the worker and its PostgreSQL backends once the circuit is open, against the breaker turned off.
4. burndown: 100,000 queued noop runs of one project drained by 1 and 2 workers, the fair worker against the
            pre-fairness one (--baseline-bin), alternating.

    python fairness.py run --admin-url URL --bin DIR [--baseline-bin DIR] [--seconds 20] [--only burst,slow,dead,burndown]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import latency  # noqa: E402
import worker_support as support  # noqa: E402

BASELINE_SQL = os.path.join(support.ROOT, ".bench", "baseline", "sql")


def schema(url, sql_dir):
    for name in sorted(os.listdir(sql_dir)):
        if name.endswith(".sql"):
            subprocess.run(["psql", "-qX", url, "-v", "ON_ERROR_STOP=1", "-f", os.path.join(sql_dir, name)],
                           check=True, capture_output=True)


class Stack:
    """A scratch database with Inlet's schema, an inlet-server from `bin_dir` (when `server`), and workers."""

    def __init__(self, admin_url, bin_dir, name, sql_dir=None, server=True):
        self.admin_url, self.bin_dir, self.name = admin_url, bin_dir, name
        self.url = support.fresh_database(admin_url, name)
        # The previous scenario's dirty pages are written now, not by a checkpoint in the middle of a measurement
        # (one on this disk stalled every commit for ~30 s in the first runs).
        support.psql(admin_url, "CHECKPOINT")
        schema(self.url, sql_dir or os.path.join(support.ROOT, "sql"))
        self.admin_token = "inl_admin_bench_" + os.urandom(12).hex()
        self.port = latency.free_port()
        self.env = support.inlet_environment(self.url, INLET_PORT=str(self.port), INLET_HOST="127.0.0.1",
                                             INLET_ADMIN_TOKEN=self.admin_token, INLET_ALLOW_PRIVATE_TARGETS="true")
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes = []
        self.workers = []
        if server:
            self.processes.append(subprocess.Popen([os.path.join(bin_dir, "inlet-server"), "serve"], env=self.env,
                                                   cwd=support.ROOT))
            deadline = time.time() + 60
            while True:
                try:
                    latency.call(self.base, "GET", "/healthz", "")
                    break
                except Exception:
                    if time.time() > deadline:
                        raise SystemExit("bench-fairness: the server did not start")
                    time.sleep(0.1)

    def project(self, name):
        project = latency.call(self.base, "POST", "/v1/projects", self.admin_token, {"name": name})
        token = latency.call(self.base, "POST", f"/v1/projects/{project['id']}/api-keys", self.admin_token, {})["token"]
        return project["id"], token

    def subscribed_job(self, token, source, job):
        """A source named `source` with one subscription to a new job (`job`: the create body); the job's id."""
        created = latency.call(self.base, "POST", "/v1/event-sources", token, {"name": source})
        made = latency.call(self.base, "POST", "/v1/jobs", token, job)
        latency.call(self.base, "POST", f"/v1/event-sources/{created['id']}/subscribe", token,
                     {"target_type": "job", "target_id": made["id"]})
        return made["id"]

    def start_worker(self, bin_dir=None, **extra):
        worker = subprocess.Popen([os.path.join(bin_dir or self.bin_dir, "inlet-worker")],
                                  env=dict(self.env, INLET_WORKER_ID=f"bench-{len(self.workers)}", **extra),
                                  cwd=support.ROOT)
        self.workers.append(worker)
        self.processes.append(worker)
        time.sleep(1)  # connects and LISTENs
        return worker

    def stop_workers(self):
        support.stop(self.workers)
        self.processes = [p for p in self.processes if p not in self.workers]
        self.workers = []

    def close(self):
        support.stop(self.processes)
        support.drop_database(self.admin_url, self.name)


def queue_runs(url, project, job, runs, tag):
    """Queues `runs` runs of `job` in `project` by SQL (one event, the way a large fan-out or a replay leaves them)."""
    support.psql(url, f"""
        WITH source AS (INSERT INTO event_sources (project_id, id, name) VALUES ('{project}', gen_random_uuid(), '{tag}')
                        RETURNING id),
        event AS (INSERT INTO events (project_id, id, source_id, payload)
                  SELECT '{project}', gen_random_uuid(), id, '{{}}' FROM source RETURNING id)
        INSERT INTO job_runs (project_id, id, event_id, job_id, max_attempts)
        SELECT '{project}', gen_random_uuid(), event.id, '{job}', 10 FROM event, generate_series(1, {runs});
    """)
    support.psql(url, "ANALYZE job_runs")


def dispatch_latency(stack, token, source, rate, seconds, job, since_sql="true"):
    """Dispatches `source` events at `rate` for `seconds` (open loop); the p50/p99 of dispatch → start of `job`'s
    first attempts (run_attempts.started_at − events.received_at) whose event matches `since_sql`."""
    statuses = {}

    async def load():
        import aiohttp

        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with aiohttp.ClientSession(stack.base, headers=headers,
                                         connector=aiohttp.TCPConnector(limit=256)) as session:
            async def send(i, warm):
                body = {"source": source, "payload": {"i": i, "warm": warm}}
                async with session.post("/v1/events/dispatch", json=body) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1

            await latency.open_loop(rate, seconds, send)

    started = time.time()
    asyncio.run(load())
    expected = statuses.get(202, 0)
    deadline = time.time() + 120
    while time.time() < deadline:  # every run of this phase has started (those behind a burst too)
        done = int(support.psql(stack.url, f"""
            SELECT count(*) FROM run_attempts AS a JOIN job_runs AS r ON r.project_id = a.project_id AND r.id = a.run_id
            JOIN events AS e ON e.project_id = r.project_id AND e.id = r.event_id
            WHERE r.job_id = '{job}' AND a.attempt = 1 AND e.received_at > to_timestamp({started})"""))
        if done >= expected:
            break
        time.sleep(0.2)
    rows = support.psql(stack.url, f"""
        SELECT 1000 * extract(epoch FROM a.started_at - e.received_at)
        FROM run_attempts AS a
        JOIN job_runs AS r ON r.project_id = a.project_id AND r.id = a.run_id
        JOIN events AS e ON e.project_id = r.project_id AND e.id = r.event_id
        WHERE r.job_id = '{job}' AND a.attempt = 1 AND NOT (e.payload->>'warm')::boolean
          AND e.received_at > to_timestamp({started}) AND ({since_sql})
    """)
    stats = latency.percentiles([float(line) for line in rows.splitlines() if line])
    stats.pop("values", None)
    stats["statuses"] = {str(k): v for k, v in statuses.items()}
    return stats


# MARK: 1. burst


def burst(admin_url, bin_dir, baseline_bin, seconds, runs, baseline_current=False):
    results = {}
    for label, worker_bin in [("fair", bin_dir)] + ([("before", baseline_bin)] if baseline_bin else []):
        stack = Stack(admin_url, bin_dir, "inlet_bench_fair_burst")
        try:
            a_project, a_token = stack.project("burst")
            b_project, b_token = stack.project("steady")
            a_job = stack.subscribed_job(a_token, "burst", {"name": "noop", "kind": "noop"})
            b_job = stack.subscribed_job(b_token, "steady", {"name": "noop", "kind": "noop"})
            if label == "before" and not baseline_current:
                # The pre-fairness worker claims with the old statement, through the old index.
                support.psql(stack.url, "CREATE INDEX job_runs_claim ON job_runs (run_at, id) WHERE status = 'queued'")
            stack.start_worker(worker_bin)
            alone = dispatch_latency(stack, b_token, "steady", 50, seconds, b_job)
            # A's burst is queued two seconds into B's load (after its warm-up); B's events count from then until
            # A's last run finished.
            timer = threading.Timer(latency.WARMUP_SECONDS + 1, queue_runs, (stack.url, a_project, a_job, runs,
                                                                              "burst-events"))
            timer.start()
            during = dispatch_latency(
                stack, b_token, "steady", 50, seconds, b_job,
                since_sql=f"""e.received_at > (SELECT min(created_at) FROM job_runs WHERE job_id = '{a_job}')
                              AND e.received_at < (SELECT coalesce(max(finished_at), now()) FROM job_runs
                                                   WHERE job_id = '{a_job}')""")
            timer.join()
            drained = support.psql(stack.url, f"""
                SELECT count(*) FILTER (WHERE status = 'succeeded'),
                       extract(epoch FROM max(finished_at) - min(updated_at))
                FROM job_runs WHERE job_id = '{a_job}'""")
            results[label] = {"alone": alone, "during_burst": during, "burst_drained": drained}
        finally:
            stack.close()
    return results


# MARK: 2. slow endpoint


class Receiver:
    """An HTTP receiver on 127.0.0.1: /slow answers after 2 s, /fast at once, /dead 503 at once (a target that is
    down behind its load balancer)."""

    def __init__(self):
        self.port = latency.free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()
        self.thread.start()
        self.ready.wait(10)

    def _run(self):
        from aiohttp import web

        async def slow(request):
            await request.read()
            await asyncio.sleep(2)
            return web.Response(text="ok")

        async def fast(request):
            await request.read()
            return web.Response(text="ok")

        async def dead(request):
            await request.read()
            return web.Response(status=503, text="down")

        async def start():
            app = web.Application()
            app.router.add_post("/slow", slow)
            app.router.add_post("/fast", fast)
            app.router.add_post("/dead", dead)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port, backlog=1024).start()
            self.ready.set()

        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def slow(admin_url, bin_dir, seconds, receiver):
    stack = Stack(admin_url, bin_dir, "inlet_bench_fair_slow")
    try:
        project, token = stack.project("slow")
        healthy = stack.subscribed_job(token, "healthy", {"name": "healthy", "kind": "http",
                                                          "config": {"url": receiver.url("/fast")}})
        slow_job = stack.subscribed_job(token, "slow", {"name": "slow", "kind": "http",
                                                        "config": {"url": receiver.url("/slow")}})
        stack.start_worker()
        alone = dispatch_latency(stack, token, "healthy", 100, seconds, healthy)
        queue_runs(stack.url, project, slow_job, 10000, "slow-events")
        time.sleep(3)  # the slow job takes its slots
        beside = dispatch_latency(stack, token, "healthy", 100, seconds, healthy)
        slow_running = support.psql(stack.url, f"SELECT count(*) FROM job_runs WHERE job_id = '{slow_job}' "
                                               "AND status = 'running'")
        return {"alone": alone, "beside_slow": beside, "slow_running_at_end": int(slow_running)}
    finally:
        stack.close()


# MARK: 3. dead endpoint


def dead(admin_url, bin_dir, seconds, receiver):
    results = {}
    dead_url = receiver.url("/dead")
    for label, breaker in [("breaker on (default)", {}), ("breaker off", {"circuit_breaker": None})]:
        stack = Stack(admin_url, bin_dir, "inlet_bench_fair_dead")
        try:
            project, token = stack.project("dead")
            job = stack.subscribed_job(token, "dead", dict({"name": "dead", "kind": "http", "max_attempts": 100,
                                                            "config": {"url": dead_url}}, **breaker))
            queue_runs(stack.url, project, job, 10000, "dead-events")
            worker = stack.start_worker()
            time.sleep(5)  # the first failures open the circuit (or fill the retry schedule)
            deadline = time.time() + 60
            while breaker == {} and time.time() < deadline and support.psql(
                    stack.url, f"SELECT breaker_state FROM job_claim_state WHERE job_id = '{job}'") == "closed":
                time.sleep(0.5)
            time.sleep(2)  # attempts in flight when it opened end
            backends = {pid: support.cpu_seconds(pid) for pid in support.backend_pids(stack.url, "inlet-worker")}
            worker_cpu = support.cpu_seconds(worker.pid)
            attempts = int(support.psql(stack.url, "SELECT count(*) FROM run_attempts"))
            started = time.time()
            time.sleep(seconds)
            elapsed = time.time() - started
            attempts = int(support.psql(stack.url, "SELECT count(*) FROM run_attempts")) - attempts
            worker_cpu = support.cpu_seconds(worker.pid) - worker_cpu
            backend_cpu = sum(support.cpu_seconds(pid) - start for pid, start in backends.items())
            state = support.psql(stack.url, f"""SELECT breaker_state || ' (' || consecutive_failures || ' failures, '
                                                 || (SELECT count(*) FROM job_runs WHERE status = 'queued') || ' queued)'
                                                 FROM job_claim_state WHERE job_id = '{job}'""")
            results[label] = {"attempts_per_second": attempts / elapsed, "worker_cpu_percent": 100 * worker_cpu / elapsed,
                              "backend_cpu_percent": 100 * backend_cpu / elapsed, "circuit": state}
        finally:
            stack.close()
    return results


# MARK: 4. burn-down


def burndown(admin_url, bin_dir, baseline_bin, runs, processes_list, baseline_current=False):
    import worker as burn  # scripts/bench.d/worker.py: the burn-down of scripts/bench worker

    results = []
    baseline_sql = None if baseline_current else BASELINE_SQL
    rounds = [("fair", bin_dir, None)] + ([("before", baseline_bin, baseline_sql)] if baseline_bin else [])
    for processes in processes_list:
        for label, worker_bin, sql_dir in rounds + rounds:  # twice each, alternating, best kept
            name = "inlet_bench_fair_burndown"
            url = support.fresh_database(admin_url, name)
            try:
                schema(url, sql_dir or os.path.join(support.ROOT, "sql"))
                burn.seed_inlet(url)
                result = burn.run_inlet_workers(url, worker_bin, processes, runs, timeout=600)
                results.append({"label": label, "processes": processes, "per_second": result["per_second"],
                                "complete": result["complete"]})
            finally:
                support.drop_database(admin_url, name)
    return results


# MARK: report


def report(results):
    lines = []
    if "burst" in results:
        lines.append("burst (B at 50 events/s; dispatch → start, ms)")
        for label, r in results["burst"].items():
            a, d = r["alone"], r["during_burst"]
            ratio = d.get("p99", float("nan")) / a["p99"] if a.get("p99") else float("nan")
            lines.append(f"  {label:8} alone p50 {a.get('p50', 0):7.2f} p99 {a.get('p99', 0):8.2f} (n={a['count']}) | "
                         f"during A's burst p50 {d.get('p50', 0):8.2f} p99 {d.get('p99', 0):9.2f} (n={d['count']}) | "
                         f"ratio {ratio:.2f} | burst {r['burst_drained']}")
    if "slow" in results:
        r = results["slow"]
        a, b = r["alone"], r["beside_slow"]
        lines.append("slow endpoint (healthy job at 100 events/s; dispatch → start, ms)")
        lines.append(f"  alone p50 {a.get('p50', 0):.2f} p99 {a.get('p99', 0):.2f} (n={a['count']}) | beside 10,000 "
                     f"slow runs p50 {b.get('p50', 0):.2f} p99 {b.get('p99', 0):.2f} (n={b['count']}) | ratio "
                     f"{b.get('p99', 0) / max(a.get('p99', 0), 1e-9):.2f} | slow runs running {r['slow_running_at_end']}")
    if "dead" in results:
        lines.append("dead endpoint (10,000 queued runs)")
        for label, r in results["dead"].items():
            lines.append(f"  {label:22} attempts/s {r['attempts_per_second']:8.2f} worker CPU "
                         f"{r['worker_cpu_percent']:5.1f} % backends CPU {r['backend_cpu_percent']:5.1f} % "
                         f"circuit {r['circuit']}")
    if "burndown" in results:
        lines.append("burn-down (100,000 noop runs, one project, runs/s)")
        for r in results["burndown"]:
            lines.append(f"  {r['label']:7} {r['processes']} proc {r['per_second']:9.0f}  complete {r['complete']}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--admin-url", required=True)
    run.add_argument("--bin", required=True)
    run.add_argument("--baseline-bin")
    run.add_argument("--baseline-current", action="store_true",
                     help="the baseline worker uses the current schema (a build of an earlier commit of main)")
    run.add_argument("--seconds", type=int, default=20)
    run.add_argument("--runs", type=int, default=100000)
    run.add_argument("--processes", default="1,2")
    run.add_argument("--only", default="burst,slow,dead,burndown")
    run.add_argument("--out", default=os.path.join(support.ROOT, ".bench", "fairness.json"))
    args = parser.parse_args()
    only = set(args.only.split(","))
    results = {"machine": support.machine_line(args.admin_url)}
    if "burst" in only:
        results["burst"] = burst(args.admin_url, args.bin, args.baseline_bin, args.seconds, args.runs,
                                 args.baseline_current)
    receiver = Receiver() if only & {"slow", "dead"} else None
    if "slow" in only:
        results["slow"] = slow(args.admin_url, args.bin, args.seconds, receiver)
    if "dead" in only:
        results["dead"] = dead(args.admin_url, args.bin, args.seconds, receiver)
    if "burndown" in only:
        results["burndown"] = burndown(args.admin_url, args.bin, args.baseline_bin, args.runs,
                                       [int(p) for p in args.processes.split(",")], args.baseline_current)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        json.dump(results, out, indent=1)
    print(report(results))


if __name__ == "__main__":
    main()

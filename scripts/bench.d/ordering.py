"""Ordering per key (issue 16): 100,000 queued noop runs of one job drained by inlet-worker processes, as
1,000 ordering keys x 100 runs (dispatched interleaved: key = n mod 1000) against the same runs without keys,
and optionally (--only before,…, with --before-bin: a worker built before ordering keys, whose completion does not
read ordering_key) against the schema before ordering keys (migrations up to 0004: no triggers, no new index) to
show what unordered runs pay. Same release binary, default settings, one scratch database per round, rounds alternating.
Run by scripts/bench-ordering.

    python ordering.py run --admin-url URL --bin DIR [--runs 100000] [--keys 1000] [--processes 1,2] [--rounds 2]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import worker as burn  # noqa: E402  (scripts/bench.d/worker.py: the burn-down of scripts/bench worker)
import worker_support as support  # noqa: E402

SQL = os.path.join(support.ROOT, "sql")


def schema(url, sql_dir):
    for name in sorted(os.listdir(sql_dir)):
        if name.endswith(".sql"):
            subprocess.run(["psql", "-qX", url, "-v", "ON_ERROR_STOP=1", "-f", os.path.join(sql_dir, name)],
                           check=True, capture_output=True)


def fill_ordered(keys):
    """Like worker.fill_inlet, with run n's ordering key `key-(n mod keys)`: the insert trigger blocks every run
    but the first of each key, as dispatch would."""

    def fill(url, runs):
        support.psql(url, f"""
            TRUNCATE run_attempts, job_runs, events;
            INSERT INTO events (project_id, id, source_id, payload)
                SELECT '{burn.PROJECT}', ('0190' || lpad(to_hex(g), 8, '0') || '70008' || lpad(to_hex(g), 15, '0'))::uuid,
                       '{burn.SOURCE}', jsonb_build_object('n', g)
                FROM generate_series(1, {runs}) AS g;
            INSERT INTO job_runs (project_id, id, event_id, job_id, max_attempts, ordering_key)
                SELECT '{burn.PROJECT}', ('0191' || lpad(to_hex(g), 8, '0') || '70008' || lpad(to_hex(g), 15, '0'))::uuid,
                       ('0190' || lpad(to_hex(g), 8, '0') || '70008' || lpad(to_hex(g), 15, '0'))::uuid,
                       '{burn.JOB}', 10, 'key-' || (g % {keys})
                FROM generate_series(1, {runs}) AS g ORDER BY g;
        """)
        blocked = int(support.psql(url, "SELECT count(*) FROM job_runs WHERE ordering_blocked"))
        if blocked != runs - keys:
            raise SystemExit(f"bench-ordering: {blocked} runs blocked, expected {runs - keys}")
        support.psql(url, "VACUUM ANALYZE events, job_runs, run_attempts")
        support.psql(url, "CHECKPOINT")

    return fill


def order_violations(url):
    """Runs of a key whose first attempt started before an earlier run of that key had finished."""
    return int(support.psql(url, """
        SELECT count(*) FROM (
            SELECT a.started_at,
                   max(r.finished_at) OVER (PARTITION BY r.ordering_key ORDER BY r.ordering_seq
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_finished
            FROM job_runs r JOIN run_attempts a ON a.project_id = r.project_id AND a.run_id = r.id AND a.attempt = 1
            WHERE r.ordering_key IS NOT NULL) AS x
        WHERE x.started_at < x.previous_finished
    """))


def one_round(admin_url, bin_dir, label, processes, runs, keys, before_sql, before_bin=None):
    name = "inlet_bench_ordering"
    url = support.fresh_database(admin_url, name)
    original_fill = burn.fill_inlet
    try:
        schema(url, before_sql if label == "before" else SQL)
        burn.seed_inlet(url)
        if label == "ordered":
            burn.fill_inlet = fill_ordered(keys)
        worker_bin = before_bin if label == "before" else bin_dir
        result = burn.run_inlet_workers(url, worker_bin, processes, runs, timeout=900)
        row = {"label": label, "processes": processes, "per_second": result["per_second"],
               "seconds": result["seconds"], "complete": result["complete"],
               "backend_cpu_us_per_job": result["backend_cpu_us_per_job"]}
        if label == "ordered":
            row["order_violations"] = order_violations(url)
        return row
    finally:
        burn.fill_inlet = original_fill
        support.drop_database(admin_url, name)


def report(results, runs, keys):
    lines = [f"burn-down of {runs:,} noop runs (runs/s, first start to last completion); ordered: {keys:,} keys x "
             f"{runs // keys} runs"]
    for r in results["rounds"]:
        extra = f"  order violations {r['order_violations']}" if "order_violations" in r else ""
        lines.append(f"  {r['label']:9} {r['processes']} proc {r['per_second']:8.0f}  ({r['seconds']:.1f} s, backends "
                     f"{r['backend_cpu_us_per_job']:.0f} us/run, complete {r['complete']}){extra}")
    for processes in sorted({r["processes"] for r in results["rounds"]}):
        best = {label: max((r["per_second"] for r in results["rounds"]
                            if r["label"] == label and r["processes"] == processes), default=0)
                for label in ("before", "unordered", "ordered")}
        parts = []
        if best["unordered"] and best["ordered"]:
            parts.append(f"ordered / unordered {100 * best['ordered'] / best['unordered']:.0f} %")
        if best["unordered"] and best["before"]:
            parts.append(f"unordered / before {100 * best['unordered'] / best['before']:.0f} %")
        if parts:
            lines.append(f"  {processes} proc best: " + ", ".join(parts))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--admin-url", required=True)
    run.add_argument("--bin", required=True)
    run.add_argument("--runs", type=int, default=100000)
    run.add_argument("--keys", type=int, default=1000)
    run.add_argument("--processes", default="1,2")
    run.add_argument("--rounds", type=int, default=2)
    run.add_argument("--before-bin", help="an inlet-worker from before migration 0005, for the 'before' rounds")
    run.add_argument("--only", default="unordered,ordered")
    run.add_argument("--out", default=os.path.join(support.ROOT, ".bench", "ordering.json"))
    args = parser.parse_args()
    labels = args.only.split(",")
    if "before" in labels and not args.before_bin:
        raise SystemExit("bench-ordering: 'before' rounds need --before-bin (this worker reads ordering_key)")
    before_sql = tempfile.mkdtemp(prefix="inlet-sql-before-ordering-")
    for name in os.listdir(SQL):
        if name.endswith(".sql") and name < "0005":
            shutil.copy(os.path.join(SQL, name), before_sql)
    results = {"machine": support.machine_line(args.admin_url), "rounds": []}
    try:
        for processes in [int(p) for p in args.processes.split(",")]:
            for _ in range(args.rounds):
                for label in labels:
                    row = one_round(args.admin_url, args.bin, label, processes, args.runs, args.keys, before_sql,
                                    args.before_bin)
                    print(f"bench-ordering: {row}", file=sys.stderr, flush=True)
                    results["rounds"].append(row)
    finally:
        shutil.rmtree(before_sql, ignore_errors=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        json.dump(results, out, indent=1)
    print(results["machine"])
    print(report(results, args.runs, args.keys))


if __name__ == "__main__":
    main()

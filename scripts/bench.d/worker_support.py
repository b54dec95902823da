"""Shared pieces of scripts/bench-worker and scripts/bench-latency: scratch databases on the dev-db server, the
release binaries, peak RSS, pgqueuer's schema, and rewriting one marked section of docs/benchmarks.md.

Imported by worker.py and latency.py (same directory); not run on its own.
"""

import asyncio
import datetime
import os
import re
import secrets
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def database_url(admin_url, name):
    """The URL of database `name` on the server of `admin_url` (a dev-db URL ending in /inlet?...)."""
    return re.sub(r"/[^/?]+(\?|$)", "/" + name + r"\1", admin_url, count=1)


def psql(url, sql):
    return subprocess.run(["psql", "-qtAX", url, "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def fresh_database(admin_url, name):
    """Drops and creates the scratch database `name`; returns its URL."""
    psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(admin_url, f"CREATE DATABASE {name}")
    return database_url(admin_url, name)


def drop_database(admin_url, name):
    psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def inlet_environment(url, **extra):
    """The environment of Inlet's binaries for the scratch database: default settings except logs (warnings only)
    and the worker's metrics port (off, so several workers can run side by side)."""
    env = dict(os.environ, DATABASE_URL=url, INLET_SECRET_KEY=secrets.token_hex(32), INLET_LOG_LEVEL="warning",
               INLET_WORKER_METRICS_PORT="0")
    env.update(extra)
    return env


def migrate(bin_dir, env):
    subprocess.run([os.path.join(bin_dir, "inlet-server"), "migrate"], env=env, check=True, capture_output=True)


def peak_rss_mib(pid):
    """VmHWM (peak resident set) of a live process, in MiB; None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    """User + system CPU time of a live process (and its waited-for children), in seconds; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def backend_pids(url, application):
    """Process ids of the PostgreSQL backends serving `application` (same machine)."""
    rows = psql(url, f"SELECT pid FROM pg_stat_activity WHERE application_name = '{application}'")
    return [int(line) for line in rows.splitlines() if line]


def stop(processes, timeout=30):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.time() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def install_pgqueuer(url):
    import asyncpg
    from pgqueuer import AsyncpgDriver, Queries

    connection = await asyncpg.connect(url)
    try:
        await Queries(AsyncpgDriver(connection)).install()
    finally:
        await connection.close()


def machine_line(admin_url):
    version = psql(admin_url, "SHOW server_version")
    return (f"{datetime.date.today()}, {os.cpu_count()} cores, PostgreSQL {version} (dev-db: fsync and "
            "synchronous_commit on, shared_buffers 256MB)")


def write_section(marker, section):
    """Replaces the `<!-- marker:begin -->`…`<!-- marker:end -->` section of docs/benchmarks.md (or appends it)."""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    section = f"<!-- {marker}:begin -->\n{section.strip()}\n<!-- {marker}:end -->"
    pattern = re.compile(rf"<!-- {marker}:begin -->.*?<!-- {marker}:end -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    with open(path, "w") as out:
        out.write(text)


def run(coroutine):
    return asyncio.run(coroutine)

# Sourced by the benchmark scripts. `settle URL` lets PostgreSQL settle before a measurement: a forced
# CHECKPOINT, then up to 60 s for autovacuum workers to finish. A previous run's hundreds of thousands of rows leave
# dirty buffers and autovacuum work, and a checkpoint or vacuum landing inside the next run (seen here: 80-90 ms
# stalls that cut a dispatch run's throughput tenfold, a latency p99 of 649 ms) measures the previous run, not this
# one. Quietly does nothing when the server is not up yet.
settle() {
    local url="$1" waited=0 vacuums
    psql "$url" -qAtc "CHECKPOINT" >/dev/null 2>&1 || return 0
    while ((waited < 60)); do
        vacuums="$(psql "$url" -qAtc "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'" 2>/dev/null || echo 0)"
        [[ "$vacuums" == 0 ]] && break
        sleep 1
        waited=$((waited + 1))
    done
    ((waited == 0)) || echo "bench: waited ${waited} s for autovacuum to finish" >&2
    return 0
}

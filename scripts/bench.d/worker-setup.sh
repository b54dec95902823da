# Sourced by scripts/bench-worker and scripts/bench-latency: installs what they need (psql and pgbench from
# Debian, pgqueuer, asyncpg, aiohttp and matplotlib from PyPI into .bench/venv) and builds the release binaries.
# Leaves $bin_dir (inlet-server, inlet-worker) and the function bench_python.

if ! command -v pgbench >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    echo "bench: installing postgresql-client (psql, pgbench)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >&2
fi

bench_venv="$root/.bench/venv"
if ! "$bench_venv/bin/python" -c 'import pgqueuer, asyncpg, aiohttp, matplotlib' >/dev/null 2>&1; then
    echo "bench: installing pgqueuer, asyncpg, aiohttp, matplotlib into .bench/venv" >&2
    python3 -m venv "$bench_venv"
    "$bench_venv/bin/pip" install -q --disable-pip-version-check pgqueuer asyncpg aiohttp matplotlib >&2
fi
bench_python() { "$bench_venv/bin/python" "$@"; }

if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
    echo "bench: building inlet-server and inlet-worker (release)" >&2
    swift build -c release --product inlet-worker >&2
    swift build -c release --product inlet-server >&2
fi
bin_dir="$(swift build -c release --show-bin-path)"

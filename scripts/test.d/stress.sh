#!/usr/bin/env bash
# The Swift suite N times in a row under CPU load (scripts/test --stress N runs it after building).
#
#   scripts/test.d/stress.sh N [swift test arguments]
#
# One busy loop per core (STRESS_HOGS overrides the count) runs for the whole time and is killed on exit. Each run's
# output and xUnit results go to .data/stress/<time>/; at the end it prints how often each test failed and
# "N runs, K failed", and exits 1 if any run failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

runs="$1"
shift
hogs="${STRESS_HOGS:-$(nproc)}"
directory=".data/stress/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$directory"
say() { echo "stress: $*" | tee -a "$directory/summary.txt"; }

hog_pids=()
stop_hogs() {
    local pid
    for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM
for _ in $(seq "$hogs"); do
    yes >/dev/null &
    hog_pids+=("$!")
done

say "$runs runs of the Swift suite ($*), $hogs busy loops ($(nproc) cores), logs in $directory"
failed=0
for run in $(seq "$runs"); do
    started=$(date +%s)
    status=0
    swift test --skip-build --xunit-output "$directory/run-$run.xml" "$@" >"$directory/run-$run.log" 2>&1 || status=$?
    seconds=$(($(date +%s) - started))
    echo "$run $status" >>"$directory/exit-statuses"
    if [[ $status -eq 0 ]]; then
        say "run $run/$runs passed in ${seconds} s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    else
        failed=$((failed + 1))
        say "run $run/$runs FAILED (exit $status) in ${seconds} s (load average $(cut -d' ' -f1-3 /proc/loadavg));" \
            "see $directory/run-$run.log"
    fi
done

# Failures per test, from the xUnit files of every run (XCTest's and Swift Testing's); a failed run without any
# failed test case in them (a crash, say) is counted under its own line.
python3 - "$directory" "$runs" <<'PY' | tee -a "$directory/summary.txt"
import collections, glob, os, sys
import xml.etree.ElementTree as ElementTree

directory, runs = sys.argv[1], int(sys.argv[2])
statuses = dict(line.split() for line in open(os.path.join(directory, "exit-statuses")))
failures = collections.Counter()
for run in range(1, runs + 1):
    failed_here = set()
    for path in glob.glob(os.path.join(directory, f"run-{run}*.xml")):
        try:
            tree = ElementTree.parse(path)
        except ElementTree.ParseError:
            continue
        for case in tree.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed_here.add(f"{case.get('classname', '?')}.{case.get('name', '?')}")
    if not failed_here and statuses.get(str(run), "0") != "0":
        failed_here.add("(a run that failed without a failed test case: see its log)")
    failures.update(failed_here)
if failures:
    print("stress: failures per test:")
    for name, count in failures.most_common():
        print(f"stress:   {count}/{runs}  {name}")
PY
say "$runs runs, $failed failed"
[[ $failed -eq 0 ]]

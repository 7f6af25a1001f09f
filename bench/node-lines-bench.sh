#!/usr/bin/env bash
# `bash bench/node-lines-bench.sh [LINES...]` (default 20 22 24): start-up
# (`cerby-okta --version`) and `synth` of a 1,000-account JSON workspace
# (bench/generate.ts, a fresh output folder each run: cdktf runs every time),
# on each Node line, with wall time and CPU time (user + sys, from
# /usr/bin/time): on a shared machine the CPU time moves much less with the
# load than the wall time. Node 22 and 24 come from the npm registry's `node`
# package (npm exec). Prints a Markdown table; needs `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}

lines=("$@"); [ $# -eq 0 ] && lines=(20 22 24)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/workspaces/bench"
node -e 'import("./dist/bench/generate.js").then(({ generateWorkspace }) => process.stdout.write(JSON.stringify(generateWorkspace({ accounts: 1000 }))))' > "$work/workspaces/bench/workspace.json"
export CERBY_OKTA_NODE_EOL_WARNING=0

# Median of the runs' "wall cpu" pairs, by wall time.
median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| Node | \`--version\` wall | \`--version\` CPU | synth 1,000 wall | synth 1,000 CPU |"
echo "| --- | ---: | ---: | ---: | ---: |"
for line in "${lines[@]}"; do
  node_bin=$(npm exec --yes --package="node@$line" -- node -p process.execPath)
  version=$("$node_bin" --version)
  startup=$(for _ in $(seq "$runs"); do /usr/bin/time -f "%e %U %S" "$node_bin" bin/cerby-okta.js --version 2>&1 >/dev/null | tail -1 | awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }'; done | median)
  synth=$(for run in $(seq "$runs"); do /usr/bin/time -f "%e %U %S" "$node_bin" bin/cerby-okta.js synth --no-warnings --workspaces "$work/workspaces" --out "$work/out-$line-$run" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }'; done | median)
  read -r startup_wall startup_cpu <<<"$startup"
  read -r synth_wall synth_cpu <<<"$synth"
  echo "| $version | ${startup_wall} s | ${startup_cpu} s | ${synth_wall} s | ${synth_cpu} s |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); median of $runs runs each, by wall time"

#!/usr/bin/env bash
# Compares eksiam with AWS CDK on the same job: the node role and N Pod
# Identity roles with a two-statement policy and an association (the CDK app
# is ../shared/bench/peer-cdk). Runs eksiam generate (all three formats),
# the CDK app with its validation off and the CDK app as users get it,
# alternately, RUNS times each, under /usr/bin/time -v, and prints the
# medians of wall time and peak RSS and eksiam's ratios.
#
# Usage: bench/peer.sh [N=1000] [RUNS=5]
# The CDK app's packages are installed on first use into .cache/bench-peer.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
runs="${2:-5}"
peer=../shared/bench/peer-cdk
work=.cache/bench-peer
[ -d "$peer" ] || { echo "bench/peer.sh: $peer is not there (../shared lies beside the checkout)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/peer.sh: needs GNU time (apt-get install -y time)" >&2; exit 1; }
mkdir -p "$work"

# ../shared is read-only: copy the CDK app and install its locked packages once.
if [ ! -d "$work/peer-cdk/node_modules/aws-cdk-lib" ]; then
  rm -rf "$work/peer-cdk"
  cp -r "$peer" "$work/peer-cdk"
  chmod -R u+w "$work/peer-cdk"
  (cd "$work/peer-cdk" && npm ci --no-audit --no-fund >&2)
fi
go build -o "$work/eksiam" ./cmd/eksiam
go run ./bench/genspec "$n" > "$work/spec.yaml"
(cd "$work/peer-cdk" && node gen-app.js "$n" app.js)
abs=$(cd "$work" && pwd)

# measure NAME CMD...: one run; prints "NAME wall_s rss_kb".
measure() {
  local name=$1; shift
  if ! /usr/bin/time -v -o "$abs/time.txt" "$@" >/dev/null 2>"$abs/stderr.txt"; then
    cat "$abs/stderr.txt" "$abs/time.txt" >&2; exit 1
  fi
  awk -v name="$name" -F': ' '
    /Elapsed \(wall clock\)/ { k = split($2, p, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + p[i] }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%s %.3f %d\n", name, s, rss }' "$abs/time.txt"
}

raw="$abs/raw.txt"
: > "$raw"
for i in $(seq "$runs"); do
  rm -rf "$abs/out" "$abs/cdk.out"
  measure eksiam "$abs/eksiam" generate --spec "$abs/spec.yaml" --out "$abs/out" | tee -a "$raw" >&2
  (cd "$abs/peer-cdk" && CDK_VALIDATION=false CDK_OUTDIR="$abs/cdk.out" measure cdk-validation-off node app.js) | tee -a "$raw" >&2
  rm -rf "$abs/cdk.out"
  (cd "$abs/peer-cdk" && CDK_OUTDIR="$abs/cdk.out" measure cdk-default node app.js) | tee -a "$raw" >&2
done

awk -v n="$n" -v runs="$runs" -v cpus="$(nproc)" '
  { wall[$1] = wall[$1] " " $2; rss[$1] = rss[$1] " " $3 }
  function median(list,   a, k, i, j, t) {
    k = split(list, a, " ")
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  END {
    ew = median(wall["eksiam"]); er = median(rss["eksiam"]) / 1024
    printf "N = %d ServiceAccounts, %d runs each, alternating, %d cores; medians\n\n", n, runs, cpus
    printf "| tool | wall s | peak RSS MiB | eksiam faster by | eksiam RSS share |\n|---|---:|---:|---:|---:|\n"
    printf "| eksiam generate (3 formats) | %.3f | %.0f | | |\n", ew, er
    split("cdk-validation-off cdk-default", tools, " ")
    for (t = 1; t <= 2; t++) {
      w = median(wall[tools[t]]); r = median(rss[tools[t]]) / 1024
      printf "| AWS CDK, %s | %.3f | %.0f | %.1fx | %.2f |\n", (t == 1 ? "validation off" : "default"), w, r, w / ew, er / r
    }
  }' "$raw"

#!/usr/bin/env bash
# Render benchmark: generates a realistic repository (examples/gen_bench.rs) at 10k topics and at
# twice that size, renders each several times with the release binary, and checks the targets:
#
#   - 10k topics (200 bundles, 600 principals) render in under 0.5 s wall (median of RUNS);
#   - 20k topics (everything doubled: 400 bundles, 1200 principals) take at most 2.2x the 10k time;
#   - peak RSS of the 20k render stays under 150 MiB;
#   - `kbundle argocd generate` of the 10k dataset as a kustomize base + overlay with an
#     Environment transformer (kubectl kustomize runs) takes under 10 s.
#
# It also checks that each output is a valid YAML stream holding one KafkaTopic per topic and one
# KafkaUser per principal, and prints input and output sizes. Exits 1 if any target or check
# fails, 2 on a setup problem.
#
# Usage: scripts/bench.sh            (from anywhere; builds what it needs)
# Knobs (environment): RUNS=5 TOPICS=10000 BUNDLES=200 PRINCIPALS=600 SCALE=2
#                      MAX_WALL_S=0.5 MAX_RATIO=2.2 MAX_RSS_MIB=150 MAX_ARGOCD_S=10
#                      KEEP=1 (keep the temp dir)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
TOPICS=${TOPICS:-10000}
BUNDLES=${BUNDLES:-200}
PRINCIPALS=${PRINCIPALS:-600}
SCALE=${SCALE:-2}
MAX_WALL_S=${MAX_WALL_S:-0.5}
MAX_RATIO=${MAX_RATIO:-2.2}
MAX_RSS_MIB=${MAX_RSS_MIB:-150}
MAX_ARGOCD_S=${MAX_ARGOCD_S:-10}

die() { echo "bench: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is needed for timing and output checks"

echo "== building (release)"
(cd "$ROOT" && cargo build --release --quiet --bin kbundle --example gen_bench) || die "build failed"
KBUNDLE="$ROOT/target/release/kbundle"
GEN="$ROOT/target/release/examples/gen_bench"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kbundle-bench.XXXXXX")
if [[ -n "${KEEP:-}" ]]; then
    echo "== keeping $WORK"
else
    trap 'rm -rf "$WORK"' EXIT
fi

# Peak RSS: GNU time when it is there (-f %M, KiB); otherwise os.wait4's rusage in Python.
if /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
    RSS_TOOL="/usr/bin/time -f %M"
else
    RSS_TOOL="python3 wait4"
fi

# run_once DIR OUT -> prints "WALL_SECONDS PEAK_RSS_KIB"; fails if kbundle fails or says anything.
run_once() {
    local dir=$1 out=$2 err="$WORK/stderr" rss="$WORK/rss" t0 t1
    if [[ $RSS_TOOL == /usr/bin/time* ]]; then
        t0=$EPOCHREALTIME
        /usr/bin/time -f %M -o "$rss" "$KBUNDLE" render "$dir" >"$out" 2>"$err" \
            || { cat "$err" >&2; die "kbundle render $dir failed"; }
        t1=$EPOCHREALTIME
        [[ -s $err ]] && { cat "$err" >&2; die "kbundle render $dir printed diagnostics"; }
        echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}') $(tail -n1 "$rss")"
    else
        python3 - "$KBUNDLE" "$dir" "$out" "$err" <<'PY' || die "kbundle render $dir failed"
import os, subprocess, sys, time
exe, d, out, err = sys.argv[1:]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    p = subprocess.Popen([exe, "render", d], stdout=o, stderr=e)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
if status != 0 or os.path.getsize(err):
    sys.stderr.write(open(err).read())
    sys.exit(1)
print(f"{wall:.4f} {ru.ru_maxrss}")
PY
    fi
}

# check_output OUT TOPICS PRINCIPALS -> prints "DOCS KAFKATOPICS KAFKAUSERS"; fails on a mismatch.
check_output() {
    python3 - "$@" <<'PY'
import collections, re, sys
out, topics, principals = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open(out, encoding="utf-8").read()
try:
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    kinds = collections.Counter(d.get("kind") for d in docs)
    names = [d["spec"]["topicName"] for d in docs if d.get("kind") == "KafkaTopic"]
    if len(set(names)) != len(names):
        sys.exit("duplicate KafkaTopic topicName in the output")
    how = "parsed with PyYAML"
except ImportError:
    # No YAML library: count documents and top-level kinds textually.
    docs = [d for d in re.split(r"(?m)^---\n", text) if d.strip()]
    kinds = collections.Counter(
        m.group(1) for d in docs for m in [re.search(r"(?m)^kind: (\S+)$", d)] if m)
    how = "counted textually (no PyYAML)"
print(f"{len(docs)} {kinds['KafkaTopic']} {kinds['KafkaUser']}")
print(f"   output: {how}: {len(docs)} documents", file=sys.stderr)
if kinds["KafkaTopic"] != topics or kinds["KafkaUser"] != principals or len(docs) != topics + principals:
    sys.exit(f"expected {topics} KafkaTopic and {principals} KafkaUser documents, found {dict(kinds)}")
PY
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A WALL_MED WALL_MIN RSS_MAX
FAIL=0
ROWS=()
for scale in 1 "$SCALE"; do
    t=$((TOPICS * scale)) b=$((BUNDLES * scale)) p=$((PRINCIPALS * scale))
    label="${t}"
    dir="$WORK/in-$label" out="$WORK/out-$label.yaml"
    echo "== dataset $label: $t topics, $b bundles, $p principals"
    "$GEN" --topics "$t" --bundles "$b" --principals "$p" --out "$dir" 2>/dev/null
    in_bytes=$(cat "$dir"/*.yaml | wc -c)
    in_files=$(find "$dir" -name '*.yaml' | wc -l)

    run_once "$dir" "$out" >/dev/null # warm-up: page cache, binary
    walls=() rss_max=0
    for ((i = 1; i <= RUNS; i++)); do
        res=$(run_once "$dir" "$out") || exit 2
        read -r wall rss <<<"$res"
        printf '   run %d: %.3f s, %s MiB\n' "$i" "$wall" "$(mib "$rss")"
        walls+=("$wall")
        ((rss > rss_max)) && rss_max=$rss
    done
    WALL_MED[$label]=$(printf '%s\n' "${walls[@]}" | median)
    WALL_MIN[$label]=$(printf '%s\n' "${walls[@]}" | sort -g | head -n1)
    RSS_MAX[$label]=$rss_max

    out_bytes=$(wc -c <"$out")
    if counts=$(check_output "$out" "$t" "$p"); then
        read -r docs kt ku <<<"$counts"
        valid="ok"
    else
        docs=? kt=? ku=? valid="FAIL"
        FAIL=1
    fi
    ROWS+=("$(printf '%-7s %7d %7d %10d %6d %9.2f %9.2f %7s %7s %7s %-5s %8.3f %8.3f %9s' \
        "$label" "$t" "$b" "$p" "$in_files" "$(awk -v n="$in_bytes" 'BEGIN{print n/1048576}')" \
        "$(awk -v n="$out_bytes" 'BEGIN{print n/1048576}')" "$docs" "$kt" "$ku" "$valid" \
        "${WALL_MIN[$label]}" "${WALL_MED[$label]}" "$(mib "$rss_max")")")
done

# The Argo CD path on the small dataset: the bundles as a kustomize base, an overlay with the
# Environment as its last transformer (the pattern of examples/gitops), rendered by
# `kbundle argocd generate` as the sidecar runs it (kubectl kustomize + the deferred transformer).
echo "== argocd generate: ${TOPICS} topics as base + overlay with an Environment transformer"
ARGO="$WORK/argo" && mkdir -p "$ARGO/base" "$ARGO/overlays/bench"
src="$WORK/in-$TOPICS"
for f in "$src"/*.yaml; do
    if grep -q '^kind: Environment' "$f"; then
        cp "$f" "$ARGO/overlays/bench/environment.yaml"
    else
        cp "$f" "$ARGO/base/"
    fi
done
{
    echo "resources:"
    (cd "$ARGO/base" && ls -1 *.yaml | grep -vx kustomization.yaml | sed 's/^/- /')
    echo "buildMetadata: [originAnnotations]"
} >"$ARGO/base/kustomization.yaml"
printf 'resources: [../../base]\ntransformers: [environment.yaml]\nbuildMetadata: [originAnnotations]\n' \
    >"$ARGO/overlays/bench/kustomization.yaml"
argo_walls=()
for ((i = 0; i <= 3; i++)); do # run 0 is the warm-up
    t0=$EPOCHREALTIME
    (cd "$ARGO/overlays/bench" && ARGOCD_APP_NAME=bench ARGOCD_APP_SOURCE_PATH=overlays/bench \
        ARGOCD_APP_PARAMETERS=null "$KBUNDLE" argocd generate >"$WORK/argo-out.yaml" \
        2>"$WORK/argo-err.txt") || { cat "$WORK/argo-err.txt" >&2; die "kbundle argocd generate failed"; }
    t1=$EPOCHREALTIME
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
    ((i > 0)) && { argo_walls+=("$w"); printf '   run %d: %.3f s\n' "$i" "$w"; }
done
ARGO_MED=$(printf '%s\n' "${argo_walls[@]}" | median)
argo_counts=$(check_output "$WORK/argo-out.yaml" "$TOPICS" "$PRINCIPALS") || FAIL=1

small=$TOPICS big=$((TOPICS * SCALE))
ratio=$(awk -v a="${WALL_MED[$big]}" -v b="${WALL_MED[$small]}" 'BEGIN {printf "%.2f", a/b}')

echo
echo "kbundle render benchmark: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $RUNS runs each (after 1 warm-up), RSS via $RSS_TOOL"
echo "load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews wall times)"
printf '%-7s %7s %7s %10s %6s %9s %9s %7s %7s %7s %-5s %8s %8s %9s\n' \
    dataset topics bundles principals files "in MiB" "out MiB" docs Topics Users valid \
    "min s" "median s" "peak MiB"
printf '%s\n' "${ROWS[@]}"
echo

verdict() { # NAME OK(1/0) DETAIL
    if [[ $2 == 1 ]]; then echo "PASS  $1: $3"; else echo "FAIL  $1: $3"; FAIL=1; fi
}
verdict "${small} wall < ${MAX_WALL_S} s" \
    "$(awk -v w="${WALL_MED[$small]}" -v m="$MAX_WALL_S" 'BEGIN {print (w < m)}')" \
    "median ${WALL_MED[$small]} s"
verdict "${big}/${small} time ratio <= ${MAX_RATIO}" \
    "$(awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN {print (r <= m)}')" \
    "${ratio}x (medians ${WALL_MED[$big]} s / ${WALL_MED[$small]} s)"
verdict "${big} peak RSS < ${MAX_RSS_MIB} MiB" \
    "$(awk -v k="${RSS_MAX[$big]}" -v m="$MAX_RSS_MIB" 'BEGIN {print (k/1024 < m)}')" \
    "$(mib "${RSS_MAX[$big]}") MiB (max of $RUNS runs)"
verdict "argocd generate of ${small} topics (kustomize overlay) < ${MAX_ARGOCD_S} s" \
    "$(awk -v w="$ARGO_MED" -v m="$MAX_ARGOCD_S" 'BEGIN {print (w < m)}')" \
    "median ${ARGO_MED} s of 3 (Argo CD's default timeout: 60 s)"
if [[ $FAIL == 0 ]]; then echo "all targets met"; else echo "some targets missed"; fi
exit "$FAIL"

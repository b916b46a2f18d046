#!/usr/bin/env bash
# Adversarial Avro benchmark (issue 10 item 9): reader unions whose branches share a short name
# at every level (a<d>.Lk, b<d>.Lk, c<d>.Lk) with a change at the bottom, so an unmemoized
# checker tries every branch at every level (~3.5x per level; a 4.5 KB schema once took 8.6 s).
# Runs `kbundle check` (release build) on a FULL_TRANSITIVE bundle at several depths and checks
# each input under 1 MiB finishes in under MAX_S seconds with peak RSS under MAX_RSS_MIB.
#
# Each level nests JSON four deep, so past ~31 levels serde_json's nesting limit (128) refuses
# the file as KB061 before any check runs; the default depths stay below it and the script
# requires KB062 (the check ran and found the change) for every depth.
#
# Usage: scripts/bench-avro-unions.sh     Knobs: DEPTHS="10 14 20 30" MAX_S=2 MAX_RSS_MIB=256
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPTHS=${DEPTHS:-"10 14 20 30"}
MAX_S=${MAX_S:-2}
MAX_RSS_MIB=${MAX_RSS_MIB:-256}

(cd "$ROOT" && cargo build --release --quiet --bin kbundle)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kbundle-avro-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

python3 - "$ROOT/target/release/kbundle" "$WORK" "$MAX_S" "$MAX_RSS_MIB" $DEPTHS <<'PY'
import os, resource, subprocess, sys, time
kbundle, work, max_s, max_rss = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
depths = [int(d) for d in sys.argv[5:]]

def schema(depth, leaf):
    union = '{"type":"record","name":"Leaf","fields":[{"name":"v","type":"%s"}]}' % leaf
    for d in reversed(range(depth)):
        n = d + 1
        refs = '"a%d.Leaf"' % d if n == depth else '["null","a%d.Lk","b%d.Lk","c%d.Lk"]' % (n, n, n)
        union = ('["null",{"type":"record","name":"Lk","namespace":"a%d","fields":[{"name":"n","type":%s}]},'
                 '{"type":"record","name":"Lk","namespace":"b%d","fields":[{"name":"n","type":%s}]},'
                 '{"type":"record","name":"Lk","namespace":"c%d","fields":[{"name":"n","type":%s}]}]'
                 % (d, union, d, refs, d, refs))
    return '{"type":"record","name":"Top","fields":[{"name":"n","type":%s}]}' % union

BUNDLE = """apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata: {name: bench}
spec:
  owner: team-bench
  topics: [{name: bench.v1, valueSchema: s}]
  schemas: [{name: s, file: new.avsc, compatibility: FULL_TRANSITIVE, previous: [old.avsc]}]
---
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  defaults: {compatibility: BACKWARD}
  schemaRegistry: {url: "http://schema-registry:8081"}
  hooks: {image: "curlimages/curl:8.11.0"}
"""
failed = False
print("%6s %10s %8s %9s %5s" % ("depth", "bytes", "wall_s", "rss_mib", "exit"))
for depth in depths:
    d = os.path.join(work, str(depth)); os.makedirs(d)
    old, new = schema(depth, "int"), schema(depth, "string")
    open(os.path.join(d, "bundle.yaml"), "w").write(BUNDLE)
    open(os.path.join(d, "old.avsc"), "w").write(old)
    open(os.path.join(d, "new.avsc"), "w").write(new)
    size = len(old) + len(new) + len(BUNDLE)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    try:
        run = subprocess.run([kbundle, "check", d], capture_output=True, timeout=60)
        code = run.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    wall = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # ru_maxrss of children is the largest so far; depths run smallest first.
    ran = code != "timeout" and b"error[KB062]" in run.stderr
    ok = code == 1 and ran and (size >= 1 << 20 or (wall < max_s and rss < max_rss))
    failed |= not ok
    first = run.stderr.decode(errors="replace").splitlines()[0][:110] if code != "timeout" else ""
    print("%6d %10d %8.3f %9.1f %5s%s  %s" % (depth, size, wall, rss, code, "" if ok else "  FAIL", first))
sys.exit(1 if failed else 0)
PY

#!/usr/bin/env bash
# Adversarial benchmark (issue 10, items 5-8; item 9 is scripts/bench-avro-unions.sh): inputs
# under 1 MiB built to cost time, memory or output, each run through `kbundle check` (release
# build). Every case must finish in under MAX_S seconds with peak RSS under MAX_RSS_MIB and at
# most MAX_STDERR_KIB of diagnostics, and must be refused (exit 1) — none of them is a valid
# repository.
#
#   alias-bombs      30 files, each a few hundred bytes of nested YAML aliases (billion laughs);
#                    budgets were per file and fixed: 0.57 s / 254 MB per file before they tripped
#   template-amp     connector config values that `replace` five times per key: 236 KB of input
#                    once made 322 MB of output and 1.27 GB RSS, exit 0
#   pii-quadratic    4000 unknown `pii` paths against a 4000-field record: every KB082 listed all
#                    fields and ran did-you-mean over them, 8.8 s, 455 MB, 224 MB of stderr
#   huge-key         a 1 MB unknown topic config key: 1.8 s, printed twice
#
# Usage: scripts/bench-adversarial.sh    Knobs: MAX_S=2 MAX_RSS_MIB=256 MAX_STDERR_KIB=512
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAX_S=${MAX_S:-2}
MAX_RSS_MIB=${MAX_RSS_MIB:-256}
MAX_STDERR_KIB=${MAX_STDERR_KIB:-512}

(cd "$ROOT" && cargo build --release --quiet --bin kbundle)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kbundle-adversarial.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

python3 - "$ROOT/target/release/kbundle" "$WORK" "$MAX_S" "$MAX_RSS_MIB" "$MAX_STDERR_KIB" <<'PY'
import json, os, resource, subprocess, sys, time
kbundle, work = sys.argv[1], sys.argv[2]
max_s, max_rss, max_err = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])

ENV = """apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  namespace: kafka
  strimzi: {connectCluster: connect}
  schemaRegistry: {url: "http://sr.kafka:8081"}
  hooks: {image: "curlimages/curl:8.11.0"}
"""

def case(name):
    d = os.path.join(work, name)
    os.makedirs(d)
    with open(os.path.join(d, "environment.yaml"), "w") as f:
        f.write(ENV)
    return d

def alias_bombs():
    d = case("alias-bombs")
    for i in range(30):
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x]"]
        for n in range(1, 58):
            lines.append("a%d: &a%d [*a%d, *a%d]" % (n, n, n - 1, n - 1))
        text = "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: b%d}\nspec:\n  owner: t\n  x:\n" % i
        text += "".join("    " + l + "\n" for l in lines)
        with open(os.path.join(d, "b%d.yaml" % i), "w") as f:
            f.write(text)
    return d

def template_amp():
    d = case("template-amp")
    tpl = '{{ "%s" | replace(from="x", to="xxxxxxxxxx") | replace(from="x", to="xxxxxxxxxx") | replace(from="x", to="xxxxxxxxxx") | replace(from="x", to="xxxxxxxxxx") | replace(from="x", to="xxxxxxxxxx") }}' % ("x" * 8)
    config = {"k%d" % i: tpl for i in range(1200)}
    b = {"apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle", "metadata": {"name": "amp"},
         "spec": {"owner": "t", "topics": [{"name": "amp.v1"}],
                  "connectors": [{"name": "amp", "class": "FileStreamSink", "topics": ["amp.v1"], "config": config}]}}
    with open(os.path.join(d, "bundle.yaml"), "w") as f:
        json.dump(b, f)
    return d

def pii_quadratic():
    d = case("pii-quadratic")
    n = 4000
    schema = {"type": "record", "name": "Wide", "fields": [{"name": "field%d" % i, "type": "string"} for i in range(n)]}
    with open(os.path.join(d, "wide.avsc"), "w") as f:
        json.dump(schema, f)
    b = {"apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle", "metadata": {"name": "wide"},
         "spec": {"owner": "t", "topics": [{"name": "wide.v1", "valueSchema": "wide", "pii": ["missing%d" % i for i in range(n)]}],
                  "schemas": [{"name": "wide", "file": "wide.avsc"}]}}
    with open(os.path.join(d, "bundle.yaml"), "w") as f:
        json.dump(b, f)
    return d

def huge_key():
    d = case("huge-key")
    # YAML limits implicit keys to 1024 characters: an explicit key (`? `) carries a long one.
    key = "retention." + "m" * 1_000_000
    text = ("apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: key}\nspec:\n"
            "  owner: t\n  topics:\n    - name: key.v1\n      config:\n        ? %s\n        : 1\n" % key)
    with open(os.path.join(d, "bundle.yaml"), "w") as f:
        f.write(text)
    return d

failed = False
print("%-16s %9s %8s %9s %10s %5s" % ("case", "input KiB", "time s", "RSS MiB", "stderr KiB", "exit"))
for build, want in ((alias_bombs, 1), (template_amp, 1), (pii_quadratic, 1), (huge_key, 0)):
    d = build()
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    start = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", kbundle, "check", d],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=120)
    took = time.monotonic() - start
    # /usr/bin/time writes the peak RSS (KiB) as the last line of stderr.
    lines = err.decode(errors="replace").rstrip("\n").split("\n")
    rss = int(lines[-1]) / 1024
    stderr_kib = (len(err) - len(lines[-1])) / 1024
    print("%-16s %9.0f %8.2f %9.1f %10.1f %5d" % (build.__name__, size / 1024, took, rss, stderr_kib, p.returncode))
    bad = []
    if size > 1 << 20: bad.append("input over 1 MiB")
    if took > max_s: bad.append("over %ss" % max_s)
    if rss > max_rss: bad.append("over %s MiB" % max_rss)
    if stderr_kib > max_err: bad.append("stderr over %s KiB" % max_err)
    if p.returncode != want: bad.append("exit %d, expected %d" % (p.returncode, want))
    if out: bad.append("stdout not empty")
    if bad:
        failed = True
        print("  FAILED: " + ", ".join(bad))
        print("  " + "\n  ".join(lines[:6]))
sys.exit(1 if failed else 0)
PY

#!/usr/bin/env bash
# Builds and checks both container images (Dockerfile targets `fn` and `argocd`) on a machine with
# podman but without registry access and without the right to run containers:
#
#   1. builds kbundle statically (glibc, crt-static, getrandom via the getrandom() call) into
#      target-static/, so the normal target/ cache is left alone, and checks it is static
#      (`file`, `ldd`);
#   2. runs it from an empty environment: `kbundle --version`, and a ResourceList made from
#      examples/quickstart through `kbundle fn`;
#   3. copies it to dist/kbundle, and the pinned standalone kustomize (built static by
#      scripts/live/install-kustomize.sh; KBUNDLE_IMAGE_KUSTOMIZE overrides it) to dist/tools/;
#   4. `podman build --pull=never` of both targets from those local files (KBUNDLE_BIN_STAGE=local-bin,
#      KUSTOMIZE_STAGE=kustomize-local): the Rust and kustomize base images are never pulled;
#   5. checks each image's config (`podman image inspect`: entrypoint, user, env, labels) and its
#      exact file list (`podman create` + `podman export`; nothing is run): the binaries are
#      byte-identical to dist/, plugin.yaml to the repository's, /etc/passwd and /etc/group hold
#      nobody and argocd, and there is nothing else (no shell);
#   6. as root, runs the exported file systems with chroot (no container runtime needed, and no
#      /dev, /proc or /tmp but the one made for kustomize) as the image's user: `kbundle fn` as
#      65534 must print what step 2 printed; as 999, `kustomize version` is the pinned one and it
#      builds a kustomization,
#      and plugin.yaml's generate command, run in a copy of examples/gitops (no .git) from
#      overlays/prod with Argo CD's variables, prints exactly what `kbundle render` prints on the
#      host (/dev/null and /proc are bound in, as a pod has them);
#   7. applies deploy/argocd/repo-server-patch.yaml with `kubectl kustomize` to a local stand-in
#      of the upstream argocd-repo-server Deployment and checks the sidecar.
#
# Exits 1 on a failed check, 2 on a setup problem.
#
# Usage: scripts/container-check.sh
# Knobs (environment): FN_IMAGE=localhost/kbundle-fn:check  ARGOCD_IMAGE=localhost/kbundle-argocd:check
#   KBUNDLE_IMAGE_KUSTOMIZE=/path/to/static/kustomize-or-kubectl (default: the pinned kustomize of
#   scripts/live/install-kustomize.sh)   KEEP=1 (keep the temp dir)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET=x86_64-unknown-linux-gnu
STATIC_DIR="$ROOT/target-static"
FN_IMAGE=${FN_IMAGE:-localhost/kbundle-fn:check}
ARGOCD_IMAGE=${ARGOCD_IMAGE:-localhost/kbundle-argocd:check}

fail() { echo "container-check: FAIL: $*" >&2; exit 1; }
die() { echo "container-check: $*" >&2; exit 2; }
ok() { echo "  ok   $*"; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
is_static() { # ELF with no interpreter
    local desc
    desc=$(file -bL "$1")
    [[ $desc == *ELF* && $desc != *"dynamically linked"* && $desc != *interpreter* &&
        ( $desc == *"statically linked"* || $desc == *"static-pie linked"* ) ]]
}

for tool in cargo podman file ldd kubectl git; do
    command -v "$tool" >/dev/null || die "'$tool' is needed (podman: apt-get install -y podman)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kbundle-container-check.XXXXXX")
CONTAINERS=()
cleanup() {
    local c
    for c in "${CONTAINERS[@]}"; do podman rm -f "$c" >/dev/null 2>&1 || true; done
    # Never remove a tree with the host's /proc or /dev/null still mounted inside it.
    local m
    for m in $(awk -v w="$WORK" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    if awk -v w="$WORK" 'index($2, w) == 1 {found=1} END {exit !found}' /proc/mounts; then
        echo "== $WORK still has mounts: not removed" >&2
    elif [[ -n "${KEEP:-}" ]]; then echo "== kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

T_START=$(now)

# ---------------------------------------------------------------------------------------------
# crt-static: glibc linked in. getrandom_backend: the getrandom crate (ahash, rand) would otherwise
# look glibc's getrandom() up with dlsym, which fails in a static binary, and fall back to
# /dev/urandom; step 6 runs the binary where there is no /dev. The Dockerfile's builder uses the
# same flags.
STATIC_RUSTFLAGS='-C target-feature=+crt-static --cfg getrandom_backend="linux_getrandom"'
echo "== 1. static build (RUSTFLAGS=$STATIC_RUSTFLAGS, CARGO_TARGET_DIR=target-static)"
t=$(now)
CARGO_TARGET_DIR="$STATIC_DIR" RUSTFLAGS="$STATIC_RUSTFLAGS" \
    cargo build --release --locked --target "$TARGET" || fail "static build failed"
T_BUILD=$(secs "$t" "$(now)")
BIN="$STATIC_DIR/$TARGET/release/kbundle"
[[ -x $BIN ]] || fail "no binary at $BIN"
ok "built $BIN in ${T_BUILD}s"

desc=$(file -b "$BIN")
is_static "$BIN" || fail "not a static executable: file says: $desc"
ok "file: ${desc%%, BuildID*}"
ldd_out=$(ldd "$BIN" 2>&1 || true)
[[ $ldd_out == *"not a dynamic executable"* || $ldd_out == *"statically linked"* ]] ||
    fail "ldd lists libraries: $ldd_out"
ok "ldd: $(sed 's/^[[:space:]]*//; q' <<<"$ldd_out")"

# ---------------------------------------------------------------------------------------------
echo "== 2. runs from an empty environment"
VERSION_LINE=$(env -i "$BIN" --version) || fail "env -i kbundle --version failed"
[[ $VERSION_LINE =~ ^kbundle\ ([0-9][^ ]*)$ ]] || fail "unexpected --version output: $VERSION_LINE"
VERSION=${BASH_REMATCH[1]}
ok "env -i kbundle --version: $VERSION_LINE"

# A ResourceList holding examples/quickstart (its Environment and two bundles) as items.
RL="$WORK/resourcelist.yaml"
{
    printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n'
    for f in examples/quickstart/*.yaml; do
        grep -v '^#' "$f" | sed '1s/^/  - /; 2,$s/^/    /'
    done
} >"$RL"
FN_OUT="$WORK/fn-out.yaml"
env -i "$BIN" fn <"$RL" >"$FN_OUT" 2>"$WORK/fn-err.txt" ||
    fail "env -i kbundle fn exited $? (stderr: $(cat "$WORK/fn-err.txt"))"
grep -q '^kind: ResourceList$' "$FN_OUT" || fail "kbundle fn did not print a ResourceList"
topics=$(grep -c 'kind: KafkaTopic$' "$FN_OUT" || true)
users=$(grep -c 'kind: KafkaUser$' "$FN_OUT" || true)
[[ $topics -ge 4 && $users -ge 4 ]] ||
    fail "kbundle fn output holds $topics KafkaTopics and $users KafkaUsers (want >= 4 each)"
ok "env -i kbundle fn < quickstart ResourceList: $topics KafkaTopics, $users KafkaUsers, exit 0"

# ---------------------------------------------------------------------------------------------
echo "== 3. dist/ (the build context of the local stages)"
mkdir -p dist/tools
rm -f dist/kbundle dist/tools/*
install -m 0755 "$BIN" dist/kbundle
TOOL_SRC=""
TOOL_NAME=""
if [[ -n "${KBUNDLE_IMAGE_KUSTOMIZE:-}" ]]; then
    TOOL_SRC=$KBUNDLE_IMAGE_KUSTOMIZE
    TOOL_NAME=$(basename "$TOOL_SRC")
    TOOL_NAME=${TOOL_NAME%%.*}
else
    # The pinned standalone kustomize, built static (CGO_ENABLED=0) from the Go module proxy
    # and cached: the sidecar carries the real kustomize, not kubectl.
    TOOL_SRC=$(bash scripts/live/install-kustomize.sh | tail -n 1) || die "scripts/live/install-kustomize.sh failed"
    TOOL_NAME=kustomize
    KUSTOMIZE_WANT=$(sed -n 's/^KUSTOMIZE_VERSION=//p' scripts/live/install-kustomize.sh)
fi
case $TOOL_NAME in kustomize | kubectl) ;; *) die "KBUNDLE_IMAGE_KUSTOMIZE must name a kustomize or kubectl binary" ;; esac
if is_static "$TOOL_SRC"; then
    install -m 0755 "$TOOL_SRC" "dist/tools/$TOOL_NAME"
    ok "dist/tools/$TOOL_NAME <- $TOOL_SRC (static, $(stat -c %s "$TOOL_SRC") bytes)"
elif [[ -n ${KUSTOMIZE_WANT:-} ]]; then
    fail "$TOOL_SRC (the pinned kustomize) is not a static binary: $(file -b "$TOOL_SRC")"
else
    TOOL_NAME=""
    echo "  WARN $TOOL_SRC is not a static binary: the local argocd image gets no kustomize" \
        "(kustomization apps would fail with KB123); the upstream build copies /app/kustomize"
fi
ok "dist/kbundle ($(stat -c %s dist/kbundle) bytes)"

# ---------------------------------------------------------------------------------------------
echo "== 4. podman build (local stages, --pull=never)"
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
[[ -z $(git status --porcelain 2>/dev/null) ]] || REVISION="$REVISION-dirty"
build() { # target image
    local log="$WORK/build-$1.log" t
    t=$(now)
    podman rmi -f "$2" >/dev/null 2>&1 || true
    if ! podman build --pull=never \
        --build-arg KBUNDLE_BIN_STAGE=local-bin --build-arg KUSTOMIZE_STAGE=kustomize-local \
        --build-arg VERSION="$VERSION" --build-arg REVISION="$REVISION" \
        --target "$1" -t "$2" . >"$log" 2>&1; then
        cat "$log" >&2
        fail "podman build --target $1 failed"
    fi
    ! grep -qiE 'trying to pull|rust:|kustomize/kustomize' "$log" ||
        fail "podman build --target $1 touched a base image of an unused stage (see $log)"
    echo "$(secs "$t" "$(now)")"
}
T_FN=$(build fn "$FN_IMAGE")
ok "$FN_IMAGE built in ${T_FN}s"
T_ARGOCD=$(build argocd "$ARGOCD_IMAGE")
ok "$ARGOCD_IMAGE built in ${T_ARGOCD}s"

# ---------------------------------------------------------------------------------------------
echo "== 5. image config and file system"
inspect() { podman image inspect --format "$2" "$1"; }
expect() { # what got want
    [[ "$2" == "$3" ]] || fail "$1: got '$2', want '$3'"
    ok "$1 = $3"
}
has_env() { # image VAR=value
    local env # (no `inspect | grep -q`: grep's early exit would fail the pipeline under pipefail)
    env=$(inspect "$1" '{{range .Config.Env}}{{println .}}{{end}}')
    grep -qxF "$2" <<<"$env" || fail "$1: Env lacks $2 (has: $(inspect "$1" '{{json .Config.Env}}'))"
    ok "$1 Env has $2"
}
export_fs() { # image dir -> writes dir/ and dir.list (tar -tv of the file system)
    local cid
    cid=$(podman create "$1")
    CONTAINERS+=("$cid")
    mkdir -p "$2"
    podman export "$cid" >"$2.tar"
    tar --numeric-owner -tvf "$2.tar" >"$2.list"
    tar -xf "$2.tar" -C "$2"
    podman rm "$cid" >/dev/null
}
same_files() { # dir.list expected-files...
    local list=$1
    shift
    diff <(awk '$1 !~ /^d/ { print $NF }' "$list" | sort) <(printf '%s\n' "$@" | sort) >&2 ||
        fail "${list##*/}: the image holds other files than expected (< image, > expected)"
    ok "files: $*"
}
mode_owner() { # dir.list path mode owner
    local line
    line=$(awk -v p="$2" '$NF == p { print $1, $2 }' "$1")
    [[ $line == "$3 $4" ]] || fail "$2: mode/owner '$line', want '$3 $4'"
}
check_passwd() { # rootfs
    grep -q '^nobody:x:65534:65534:' "$1/etc/passwd" || fail "/etc/passwd lacks nobody (65534)"
    grep -q '^argocd:x:999:999:[^:]*:/home/argocd:' "$1/etc/passwd" ||
        fail "/etc/passwd lacks argocd (999, /home/argocd)"
    grep -q '^nogroup:x:65534:' "$1/etc/group" || fail "/etc/group lacks 65534"
    grep -q '^argocd:x:999:' "$1/etc/group" || fail "/etc/group lacks argocd (999)"
    ok "/etc/passwd and /etc/group: nobody 65534, argocd 999"
}

for img in "$FN_IMAGE" "$ARGOCD_IMAGE"; do
    expect "$img Os/Architecture" "$(inspect "$img" '{{.Os}}/{{.Architecture}}')" linux/amd64
    expect "$img version label" "$(inspect "$img" '{{index .Config.Labels "org.opencontainers.image.version"}}')" "$VERSION"
    expect "$img revision label" "$(inspect "$img" '{{index .Config.Labels "org.opencontainers.image.revision"}}')" "$REVISION"
    has_env "$img" PATH=/usr/local/bin
done
expect "$FN_IMAGE Entrypoint" "$(inspect "$FN_IMAGE" '{{json .Config.Entrypoint}}')" '["kbundle","fn"]'
expect "$FN_IMAGE User" "$(inspect "$FN_IMAGE" '{{.Config.User}}')" 65534:65534
expect "$ARGOCD_IMAGE Entrypoint" "$(inspect "$ARGOCD_IMAGE" '{{json .Config.Entrypoint}}')" '["/var/run/argocd/argocd-cmp-server"]'
expect "$ARGOCD_IMAGE User" "$(inspect "$ARGOCD_IMAGE" '{{.Config.User}}')" 999:999
expect "$ARGOCD_IMAGE WorkingDir" "$(inspect "$ARGOCD_IMAGE" '{{.Config.WorkingDir}}')" /home/argocd
has_env "$ARGOCD_IMAGE" HOME=/home/argocd

FN_FS="$WORK/fn-rootfs"
export_fs "$FN_IMAGE" "$FN_FS"
same_files "$FN_FS.list" etc/passwd etc/group usr/local/bin/kbundle
cmp -s dist/kbundle "$FN_FS/usr/local/bin/kbundle" || fail "fn: /usr/local/bin/kbundle differs from dist/kbundle"
mode_owner "$FN_FS.list" usr/local/bin/kbundle -rwxr-xr-x 0/0
ok "fn: /usr/local/bin/kbundle = dist/kbundle, -rwxr-xr-x root"
check_passwd "$FN_FS"

ARGOCD_FS="$WORK/argocd-rootfs"
export_fs "$ARGOCD_IMAGE" "$ARGOCD_FS"
want=(etc/passwd etc/group usr/local/bin/kbundle home/argocd/cmp-server/config/plugin.yaml)
[[ -z $TOOL_NAME ]] || want+=("usr/local/bin/$TOOL_NAME")
same_files "$ARGOCD_FS.list" "${want[@]}"
cmp -s dist/kbundle "$ARGOCD_FS/usr/local/bin/kbundle" || fail "argocd: /usr/local/bin/kbundle differs from dist/kbundle"
mode_owner "$ARGOCD_FS.list" usr/local/bin/kbundle -rwxr-xr-x 0/0
ok "argocd: /usr/local/bin/kbundle = dist/kbundle, -rwxr-xr-x root"
if [[ -n $TOOL_NAME ]]; then
    cmp -s "dist/tools/$TOOL_NAME" "$ARGOCD_FS/usr/local/bin/$TOOL_NAME" || fail "argocd: $TOOL_NAME differs"
    mode_owner "$ARGOCD_FS.list" "usr/local/bin/$TOOL_NAME" -rwxr-xr-x 0/0
    ok "argocd: /usr/local/bin/$TOOL_NAME = dist/tools/$TOOL_NAME"
fi
cmp -s plugin.yaml "$ARGOCD_FS/home/argocd/cmp-server/config/plugin.yaml" ||
    fail "argocd: /home/argocd/cmp-server/config/plugin.yaml differs from plugin.yaml"
mode_owner "$ARGOCD_FS.list" home/argocd/cmp-server/config/plugin.yaml -rw-r--r-- 0/0
ok "argocd: /home/argocd/cmp-server/config/plugin.yaml = plugin.yaml, -rw-r--r-- root"
check_passwd "$ARGOCD_FS"

# ---------------------------------------------------------------------------------------------
echo "== 6. the exported file systems, run with chroot as the image user (no container runtime)"
CHROOT_DONE=no
if [[ $EUID -ne 0 ]]; then
    echo "  SKIP not root: chroot needs CAP_SYS_CHROOT"
else
    CHROOT=$(command -v chroot) || die "chroot (coreutils) is needed when running as root"
    env -i PATH=/usr/local/bin "$CHROOT" --userspec=65534:65534 "$FN_FS" kbundle fn \
        <"$RL" >"$WORK/fn-chroot.yaml" 2>"$WORK/fn-chroot-err.txt" ||
        fail "fn image: kbundle fn as 65534 in chroot failed: $(cat "$WORK/fn-chroot-err.txt")"
    cmp -s "$FN_OUT" "$WORK/fn-chroot.yaml" || fail "fn image: kbundle fn in chroot printed something else"
    ok "fn image, user 65534, env PATH=/usr/local/bin: 'kbundle fn' prints the same ResourceList"

    argocd_run() { env -i PATH=/usr/local/bin HOME=/home/argocd "$CHROOT" --userspec=999:999 "$ARGOCD_FS" "$@"; }
    out=$(argocd_run kbundle --version) || fail "argocd image: kbundle --version as 999 failed"
    expect "argocd image, user 999: kbundle --version" "$out" "$VERSION_LINE"
    if [[ -n $TOOL_NAME ]]; then
        # /tmp stands in for the pod's emptyDir.
        install -d -m 1777 "$ARGOCD_FS/tmp"
        mkdir -p "$ARGOCD_FS/tmp/app"
        printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n' >"$ARGOCD_FS/tmp/app/cm.yaml"
        printf 'resources: [cm.yaml]\nnamePrefix: p-\n' >"$ARGOCD_FS/tmp/app/kustomization.yaml"
        if [[ $TOOL_NAME == kubectl ]]; then k=(kubectl kustomize); else k=(kustomize build); fi
        if [[ -n ${KUSTOMIZE_WANT:-} ]]; then
            out=$(argocd_run kustomize version 2>&1) || fail "argocd image: kustomize version as 999 failed: $out"
            expect "argocd image, user 999: kustomize version" "$out" "$KUSTOMIZE_WANT"
        fi
        out=$(argocd_run "${k[@]}" --enable-alpha-plugins /tmp/app 2>&1) ||
            fail "argocd image: ${k[*]} as 999 failed: $out"
        grep -q '^  name: p-cm$' <<<"$out" || fail "argocd image: ${k[*]} printed: $out"
        ok "argocd image, user 999, read-only home: '${k[*]} --enable-alpha-plugins' builds a kustomization"

        # The plugin's own generate command, as plugin.yaml declares it, on the example prod
        # overlay copied the way argocd-cmp-server unpacks an app (below /tmp, no .git). A pod
        # always has /dev/null and /proc; the chroot needs them bound in.
        mkdir -p "$ARGOCD_FS/dev" "$ARGOCD_FS/proc" "$ARGOCD_FS/tmp/cmp/repo"
        touch "$ARGOCD_FS/dev/null"
        if mount --bind /dev/null "$ARGOCD_FS/dev/null" 2>/dev/null &&
            mount -t proc proc "$ARGOCD_FS/proc" 2>/dev/null; then
            cp -r examples/gitops/. "$ARGOCD_FS/tmp/cmp/repo/"
            chown -R 999:999 "$ARGOCD_FS/tmp/cmp"
            gen=$(sed -n '/^  generate:/,/^  [a-z]/p' plugin.yaml | grep -o '\[kbundle[^]]*\]' | tr -d '[],')
            [[ $gen == "kbundle argocd generate" ]] || fail "plugin.yaml generate command is '$gen'"
            rc=0
            PY=$(python3 -c "import sys; print(sys.executable)") || die "python3 is needed to run generate in the image's file system"
            # The image has no shell to `cd` with: chroot, chdir and drop to 999 from Python.
            # shellcheck disable=SC2086 # $gen is the command, split on purpose
            env -i PATH=/usr/local/bin HOME=/home/argocd ARGOCD_APP_NAME=orders-payments-prod \
                ARGOCD_APP_SOURCE_PATH=overlays/prod ARGOCD_APP_PARAMETERS=null \
                "$PY" -c 'import os, sys
os.chroot(sys.argv[1]); os.chdir(sys.argv[2]); os.setgroups([]); os.setgid(999); os.setuid(999)
os.execvp(sys.argv[3], sys.argv[3:])' "$ARGOCD_FS" /tmp/cmp/repo/overlays/prod $gen \
                >"$WORK/argocd-gen.yaml" 2>"$WORK/argocd-gen-err.txt" || rc=$?
            umount "$ARGOCD_FS/proc" "$ARGOCD_FS/dev/null" || true
            [[ $rc -eq 0 ]] || fail "argocd image: '$gen' as 999 failed ($rc): $(cat "$WORK/argocd-gen-err.txt")"
            "$BIN" render examples/gitops/overlays/prod >"$WORK/host-gen.yaml"
            cmp -s "$WORK/argocd-gen.yaml" "$WORK/host-gen.yaml" ||
                fail "argocd image: '$gen' printed something else than kbundle render on the host"
            ok "argocd image, user 999: '$gen' on examples/gitops/overlays/prod = host render ($(grep -c '^kind:' "$WORK/argocd-gen.yaml") objects)"
        else
            echo "  SKIP cannot bind /dev/null and /proc into the chroot: generate not run in the image"
        fi
    fi
    CHROOT_DONE=yes
fi

# ---------------------------------------------------------------------------------------------
echo "== 7. deploy/argocd/repo-server-patch.yaml on a stand-in argocd-repo-server Deployment"
K="$WORK/kustomize-patch"
mkdir -p "$K"
cp deploy/argocd/repo-server-patch.yaml "$K/"
# The parts of upstream's manifests/base/repo-server/argocd-repo-server-deployment.yaml the patch
# meets: the repo-server container, the copyutil init container and the volumes.
cat >"$K/repo-server.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: argocd-repo-server
  template:
    metadata:
      labels:
        app.kubernetes.io/name: argocd-repo-server
    spec:
      containers:
      - name: argocd-repo-server
        image: quay.io/argoproj/argocd:latest
        volumeMounts:
        - name: tmp
          mountPath: /tmp
        - mountPath: /home/argocd/cmp-server/plugins
          name: plugins
      initContainers:
      - name: copyutil
        image: quay.io/argoproj/argocd:latest
        volumeMounts:
        - mountPath: /var/run/argocd
          name: var-files
      volumes:
      - name: tmp
        emptyDir: {}
      - emptyDir: {}
        name: var-files
      - emptyDir: {}
        name: plugins
EOF
# The real kustomization, with the remote install swapped for the stand-in.
sed 's#^  - https://raw.githubusercontent.com/argoproj/argo-cd/.*/install.yaml$#  - repo-server.yaml#' \
    deploy/argocd/kustomization.yaml >"$K/kustomization.yaml"
grep -q '^  - repo-server.yaml$' "$K/kustomization.yaml" || fail "deploy/argocd/kustomization.yaml: no upstream install resource to swap"
PATCHED="$WORK/patched.yaml"
kubectl kustomize "$K" >"$PATCHED" 2>"$WORK/kustomize-err.txt" ||
    fail "kubectl kustomize of the patch failed: $(cat "$WORK/kustomize-err.txt")"
# kustomize prints keys sorted and lists at a fixed indentation: pick one container's block.
container() {
    awk -v want="$1" '
        /^      containers:$/ { inlist = 1; next }
        inlist && /^      [a-zA-Z]/ { inlist = 0 }
        inlist && /^      - / { if (block != "" && found) print block; block = ""; found = 0 }
        inlist { block = block $0 "\n"; if ($0 ~ "^        name: " want "$") found = 1 }
        END { if (found) printf "%s", block }' "$PATCHED"
}
volumes() { awk '/^      volumes:$/ { v = 1; next } v && /^      [a-z]/ { v = 0 } v' "$PATCHED"; }
side=$(container kbundle)
[[ -n $side ]] || fail "patched Deployment has no kbundle container"
for want in 'namespace: argocd' 'kubectl.kubernetes.io/default-container: argocd-repo-server'; do
    grep -q "^ *$want\$" "$PATCHED" || fail "patched Deployment lacks '$want'"
done
for want in '- /var/run/argocd/argocd-cmp-server' 'image: ghcr.io/kbundle/kbundle-argocd:v0.1.0' \
    'runAsNonRoot: true' 'runAsUser: 999' 'readOnlyRootFilesystem: true' \
    'allowPrivilegeEscalation: false' '- ALL' 'memory: 512Mi'; do
    grep -qxF -- "$want" <<<"$(sed 's/^ *//' <<<"$side")" || fail "kbundle sidecar lacks '$want'"
done
# volumeMounts is the container's last key (sorted); each mount is `mountPath`, then `name`.
mounts=$(sed -n '/^        volumeMounts:$/,$p' <<<"$side" | sed '1d; s/^ *-* *//' | paste -d' ' - - | sort)
want_mounts=$(printf '%s\n' 'mountPath: /home/argocd/cmp-server/plugins name: plugins' \
    'mountPath: /tmp name: kbundle-tmp' 'mountPath: /var/run/argocd name: var-files' | sort)
[[ $mounts == "$want_mounts" ]] || fail "kbundle sidecar mounts: $mounts"
repo=$(container argocd-repo-server)
[[ -n $repo ]] || fail "patched Deployment lost the argocd-repo-server container"
! grep -q 'name: kbundle-tmp' <<<"$repo" || fail "repo-server mounts kbundle-tmp"
vols=$(volumes)
for v in tmp var-files plugins kbundle-tmp; do
    n=$(grep -c "^ *\(- \)\?name: $v\$" <<<"$vols" || true)
    [[ $n -eq 1 ]] || fail "patched Deployment has $n volumes named $v"
done
ok "sidecar kbundle: cmp-server command, uid 999, read-only root, no privileges, mounts var-files, plugins, own /tmp"
ok "volumes: tmp, var-files, plugins, kbundle-tmp, each once; repo-server untouched"

# ---------------------------------------------------------------------------------------------
T_TOTAL=$(secs "$T_START" "$(now)")
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo
echo "== summary"
echo "  static binary   $(mib "$(stat -c %s dist/kbundle)")  ($VERSION_LINE, $REVISION)"
echo "  $FN_IMAGE      $(mib "$(inspect "$FN_IMAGE" '{{.Size}}')")"
echo "  $ARGOCD_IMAGE  $(mib "$(inspect "$ARGOCD_IMAGE" '{{.Size}}')")  (kustomize: ${TOOL_NAME:-none} ${KUSTOMIZE_WANT:-})"
echo "  chroot runs     $CHROOT_DONE"
echo "  time: static build ${T_BUILD}s, podman build fn ${T_FN}s + argocd ${T_ARGOCD}s, total ${T_TOTAL}s"
echo "container-check: all checks passed"

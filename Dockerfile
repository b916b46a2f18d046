# kbundle container images. Two final targets:
#
#   fn      the KRM function image (kpt `image:` functions, kustomize `container:` functions):
#           a static kbundle, ENTRYPOINT ["kbundle", "fn"], runs as nobody (65534), no shell.
#   argocd  the Argo CD config-management-plugin sidecar image: kbundle + kustomize +
#           /home/argocd/cmp-server/config/plugin.yaml, runs as 999 (argocd). The pod supplies the
#           entrypoint (/var/run/argocd/argocd-cmp-server, copied from the repo-server by its init
#           container) and a writable /tmp (an emptyDir): see deploy/argocd/repo-server-patch.yaml.
#
#   docker build --target fn     -t kbundle-fn .
#   docker build --target argocd -t kbundle-argocd .
#
# Both are FROM scratch. They hold only static binaries, /etc/passwd and /etc/group (so runtimes
# and tools that resolve a user name find `nobody`/`argocd`), and for `argocd` the plugin file.
# x86_64 (linux/amd64) only: the builder targets x86_64-unknown-linux-gnu.
#
# Where the binaries come from is switchable, so that a machine without registry access can build
# the final stages from binaries it built itself (scripts/container-check.sh does exactly that):
#
#   KBUNDLE_BIN_STAGE  builder (default): compile in the official Rust image
#                      local-bin: take dist/kbundle from the build context (a static binary)
#   KUSTOMIZE_STAGE    kustomize-upstream (default): /app/kustomize from the upstream image
#                      kustomize-local: take every file in dist/tools/ (the static kustomize) instead
#
#   podman build --build-arg KBUNDLE_BIN_STAGE=local-bin --build-arg KUSTOMIZE_STAGE=kustomize-local \
#                --target argocd -t kbundle-argocd .
#
# Stages a target does not use are skipped (BuildKit; buildah/podman skip unused stages by default),
# so a local build never pulls the Rust or kustomize images. The `${VAR:-default}` form in the
# two `FROM ${...}` lines below is deliberate: buildah 1.28 (podman 4.3 in Debian 12) ignores
# an ARG's default when it decides which stages a target needs (fixed upstream in buildah PR
# #4366), and `FROM ${KBUNDLE_BIN_STAGE}` alone then fails with `short-name "builder" did not
# resolve`.

ARG RUST_IMAGE=docker.io/library/rust:1.95-bookworm
# The same kustomize as scripts/live/install-kustomize.sh pins (v5.8.2). Pin by digest for
# releases (registry.k8s.io/kustomize/kustomize:v5.8.2@sha256:...).
ARG KUSTOMIZE_IMAGE=registry.k8s.io/kustomize/kustomize:v5.8.2
ARG KBUNDLE_BIN_STAGE=builder
ARG KUSTOMIZE_STAGE=kustomize-upstream
# Labels: --build-arg VERSION=... REVISION=$(git rev-parse HEAD) SOURCE_URL=<repository URL>
# (placeholder until the project has a public home).
ARG SOURCE_URL=https://github.com/kbundle/kbundle

# ---------------------------------------------------------------------------------------------
# kbundle binary, built in the official Rust image: glibc, statically linked (crt-static).
# getrandom_backend="linux_getrandom": the getrandom crate (used by ahash and rand) otherwise finds
# glibc's getrandom() with dlsym, which finds nothing in a static binary, and falls back to reading
# /dev/urandom; the binary would then panic wherever there is no /dev. Same flags as
# scripts/container-check.sh.
FROM ${RUST_IMAGE} AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
ENV RUSTFLAGS="-C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\""
RUN cargo build --release --locked --target x86_64-unknown-linux-gnu \
 && cp target/x86_64-unknown-linux-gnu/release/kbundle /kbundle \
 && /kbundle --version

# kbundle binary from the build context (dist/kbundle, built by scripts/container-check.sh).
FROM scratch AS local-bin
COPY dist/kbundle /kbundle

# ---------------------------------------------------------------------------------------------
# kustomize: the upstream image keeps a static (CGO_ENABLED=0) binary at /app/kustomize.
FROM ${KUSTOMIZE_IMAGE} AS kustomize-image

FROM scratch AS kustomize-upstream
COPY --from=kustomize-image /app/kustomize /tools/kustomize

# Static binaries from the build context: dist/tools/kustomize, the pinned standalone kustomize
# that scripts/live/install-kustomize.sh builds with `go install` and CGO_ENABLED=0
# (scripts/container-check.sh puts it there).
FROM scratch AS kustomize-local
COPY dist/tools/ /tools/

# ---------------------------------------------------------------------------------------------
FROM ${KBUNDLE_BIN_STAGE:-builder} AS bin
FROM ${KUSTOMIZE_STAGE:-kustomize-upstream} AS kustomize

# ---------------------------------------------------------------------------------------------
FROM scratch AS fn
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE_URL
LABEL org.opencontainers.image.title="kbundle-fn" \
      org.opencontainers.image.description="kbundle as a KRM function: a ResourceList on stdin, a ResourceList on stdout" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY deploy/image/passwd /etc/passwd
COPY deploy/image/group /etc/group
COPY --from=bin /kbundle /usr/local/bin/kbundle
ENV PATH=/usr/local/bin
USER 65534:65534
ENTRYPOINT ["kbundle", "fn"]

# ---------------------------------------------------------------------------------------------
FROM scratch AS argocd
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE_URL
LABEL org.opencontainers.image.title="kbundle-argocd" \
      org.opencontainers.image.description="kbundle Argo CD config-management-plugin sidecar (plugin kbundle-v1)" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY deploy/image/passwd /etc/passwd
COPY deploy/image/group /etc/group
COPY --from=kustomize /tools/ /usr/local/bin/
COPY --from=bin /kbundle /usr/local/bin/kbundle
# Baked in: no ConfigMap and no subPath mount needed. Read-only for the plugin user.
COPY plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
# The root filesystem can be read-only: argocd-cmp-server unpacks each app below /tmp, and kbundle
# keeps its private kustomize plugin home there too, so the pod must mount an emptyDir at /tmp
# (never the repo-server's own /tmp).
ENV PATH=/usr/local/bin \
    HOME=/home/argocd \
    USER=argocd
WORKDIR /home/argocd
USER 999:999
# Mounted from the repo-server (volume var-files); the pod spec names it as `command` too.
ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]

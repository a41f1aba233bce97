# syntax=docker/dockerfile:1
#
# mlflow-infra KRM function image: the function as one Node single executable
# (dist/mlflow-infra-sea, `npm run build:sea`) at /function/mlflow-infra, on a distroless "cc"
# base (glibc, libstdc++, libgcc_s; no shell, no node, no npm). The executable is the entrypoint
# (a KRM function: ResourceList on stdin and stdout); uid 65534. Argo CD's init container runs the
# same file as `/function/mlflow-infra install DIR` to copy it out (deploy/argocd/executable).
# Targets:
#   runtime   (default, last)  built from source in BUILD_IMAGE: npm ci && npm run build:sea
#   executable                 only the build's executable, as mlflow-infra-linux-<arch> (releases)
#   prebuilt                   dist/mlflow-infra-sea taken from the build context: run
#                              `npm run build:sea` first, then build with `--target prebuilt`
#                              (no npm, no network in the build)
#
# Both base images are pinned by digest (multi-arch index digests) and can be overridden, e.g.
# with the host-made base from scripts/container/local-base.sh on machines that cannot pull:
#   podman build --pull=never --target prebuilt \
#     --build-arg RUNTIME_IMAGE=localhost/mlflow-infra-cc-base:local -t localhost/mlflow-infra:dev .
# scripts/container/build-image.sh wraps this. See docs/container-notes.md.
#
# RUNTIME_IMAGE must provide the shared libraries the executable links (`ldd`: glibc >= 2.28,
# libstdc++, libgcc_s) and a passwd entry for `nobody` (kustomize and kpt run functions with
# `--user nobody`). The executable is built for the OS, CPU and C library of BUILD_IMAGE's node:
# keep the two bases on the same platform (both Debian 12 here).
# Stage selection uses --target, not an ARG in FROM: podman 4.3 (buildah 1.28) ignores a global
# ARG's default when deciding which stages to skip.

ARG BUILD_IMAGE=docker.io/library/node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f

# ---- build: compile from source ------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# `strip` (binutils) takes node's debug symbols out of the executable: 87 MB instead of 99 MB.
# node:*-slim has no binutils; install it when apt can reach Debian, else build unstripped
# (scripts/build-sea.mjs skips the step when there is no `strip`).
RUN if ! command -v strip >/dev/null && command -v apt-get >/dev/null; then \
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils; } >/dev/null 2>&1 \
        || echo "build: could not install binutils: the executable stays unstripped (about 99 MB)"; \
      rm -rf /var/lib/apt/lists/*; \
    fi
COPY package.json package-lock.json ./
# Optional CA bundle for a TLS-intercepting proxy in front of the npm registry:
#   --secret id=npm-ca,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci
COPY . .
# A dist/ in the context (meant for --target prebuilt) must not leak into a source build.
RUN rm -rf dist && npm run build:sea && test -x dist/mlflow-infra-sea

# ---- executable: the release asset of this platform -----------------------------------------
# The build stage's executable as OUTDIR/mlflow-infra-linux-<x64|arm64> (scripts/release/
# build-executable.mjs --prebuilt checks its --version), alone in a scratch stage: the release
# workflow exports it per platform (`--target executable --output type=local`), the same bytes the
# image carries.
FROM build AS executable-build
RUN node scripts/release/build-executable.mjs --prebuilt /out
FROM scratch AS executable
COPY --from=executable-build /out/ /

# ---- common runtime settings ----------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime-base
# Marks this project's function images: scripts/container/build-image.sh prunes the dangling ones
# (each rebuild of the executable leaves the previous image untagged) by this label only.
LABEL mlflow-infra.image="function"
# The KRM functions spec requires the function to work as `nobody`; run as that by default too.
USER 65534:65534
WORKDIR /
ENTRYPOINT ["/function/mlflow-infra"]

# ---- prebuilt: the executable from the build context ----------------------------------------
FROM runtime-base AS prebuilt
COPY --chmod=0555 dist/mlflow-infra-sea /function/mlflow-infra

# ---- runtime (default): the executable from the build stage ---------------------------------
FROM runtime-base AS runtime
COPY --from=build --chmod=0555 /src/dist/mlflow-infra-sea /function/mlflow-infra

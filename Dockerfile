# syntax=docker/dockerfile:1
#
# mlflow-infra KRM function image. Targets:
#   runtime   (default, last)  dist/ built from source in BUILD_IMAGE: npm ci && npm run build
#   prebuilt                   dist/ taken from the build context: run `npm run build` first, then
#                              build with `--target prebuilt` (no npm, no network in the build)
# Both hold only the bundled function on RUNTIME_IMAGE; node is the entrypoint; uid 65534.
# Both also carry /function/mlflow-infra-sea, the same function as a Node single executable
# (`npm run build:sea`), which Argo CD's repo-server copies out with an init container
# (deploy/argocd/); prebuilt needs `npm run build:sea` instead of `npm run build`.
#
# Both base images are pinned by digest (multi-arch index digests) and can be overridden, e.g.
# with the host-made base from scripts/container/local-base.sh on machines that cannot pull:
#   podman build --pull=never --target prebuilt \
#     --build-arg RUNTIME_IMAGE=localhost/mlflow-infra-node-base:20 -t localhost/mlflow-infra:dev .
# scripts/container/build-image.sh wraps this. See docs/container-notes.md.
#
# RUNTIME_IMAGE must provide node at /nodejs/bin/node (the distroless layout) and a passwd entry
# for `nobody` (kustomize and kpt run functions with `--user nobody`).
# Stage selection uses --target, not an ARG in FROM: podman 4.3 (buildah 1.28) ignores a global
# ARG's default when deciding which stages to skip.

ARG BUILD_IMAGE=docker.io/library/node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot@sha256:2cd820156cf039c8b54ae2d2a97e424b6729070714de8707a6b79f20d56f6a9a

# ---- build: compile from source ------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# Optional CA bundle for a TLS-intercepting proxy in front of the npm registry:
#   --secret id=npm-ca,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci
COPY . .
# A dist/ in the context (meant for --target prebuilt) must not leak into a source build.
RUN rm -rf dist && npm run build:sea && test -s dist/mlflow-infra && test -x dist/mlflow-infra-sea

# ---- common runtime settings ----------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime-base
# The KRM functions spec requires the function to work as `nobody`; run as that by default too.
USER 65534:65534
WORKDIR /
ENTRYPOINT ["/nodejs/bin/node", "/function/mlflow-infra"]

# ---- prebuilt: dist/ from the build context -------------------------------------------------
FROM runtime-base AS prebuilt
COPY --chmod=0555 dist/mlflow-infra /function/mlflow-infra
COPY --chmod=0555 dist/mlflow-infra-sea /function/mlflow-infra-sea

# ---- runtime (default): dist/ from the build stage ------------------------------------------
FROM runtime-base AS runtime
COPY --from=build --chmod=0555 /src/dist/mlflow-infra /function/mlflow-infra
COPY --from=build --chmod=0555 /src/dist/mlflow-infra-sea /function/mlflow-infra-sea

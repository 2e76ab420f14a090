# syntax=docker/dockerfile:1
#
# vb365-exporter image: Prometheus exporter for Veeam Backup for Microsoft 365.
#
#   docker build --build-arg REVISION=$(git rev-parse HEAD) -t vb365-exporter:$(node -p 'require("./package.json").version') .
#   docker run -p 10365:10365 -e VB365_URL=https://vb365.example.com:4443 \
#     -e VB365_USERNAME=svc-monitoring -e VB365_PASSWORD_FILE=/run/secrets/vb365-password \
#     -v "$PWD/password:/run/secrets/vb365-password:ro" vb365-exporter:0.1.0
#
# test/integration/dockerfile.test.ts replays both stages without a Docker engine (COPY into temporary folders,
# RUN there): keep every RUN an npm command and every COPY a plain `COPY [--from=build] SRC... DEST`.

# ---- build: compile TypeScript with the dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build:exporter

# ---- runtime: production dependencies and the compiled JavaScript only ----
FROM node:24-bookworm-slim AS runtime

ENV NODE_ENV=production
WORKDIR /app

COPY --from=build /app/package.json /app/package-lock.json ./
# No lifecycle scripts: nothing in production needs them. The npm cache stays in a BuildKit cache
# mount, out of the image. Files stay owned by root: read-only to the app.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist

# What changes with every commit comes last, so a new commit rebuilds only these cheap layers and not the
# dependency install above. VERSION defaults to package.json's (a test keeps them equal); pass REVISION
# and CREATED from the build: --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%FT%TZ)
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/vb365-exporter/vb365-exporter

LABEL org.opencontainers.image.title="vb365-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Veeam Backup for Microsoft 365: used space per organization and backup repository, availability and poll health" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
# The revision label of veeam_vb365_exporter_build_info.
ENV VB365_EXPORTER_REVISION=${REVISION}

# The `node` user of the official image, numeric so that Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 10365

# No curl or wget in the image: Node's own fetch asks /healthz (200 while the process is alive), on the
# port of VB365_LISTEN_ADDRESS, over plain HTTP on 127.0.0.1. With TLS in a web config, with basic auth
# that does not exempt /healthz, or with the address set by --web.listen-address or listen_address in a
# YAML file, override or disable this check (Kubernetes uses the chart's probes instead).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const port = (process.env.VB365_LISTEN_ADDRESS || ':10365').split(':').pop(); fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]

# The base image's entrypoint execs this command, so node runs as PID 1 and receives SIGTERM itself.
CMD ["node", "dist/main.js"]

# syntax=docker/dockerfile:1
# llmio as one compiled binary on a slim Debian base.
#   docker build -t llmio .
#   docker run -p 7070:7070 -v "$PWD/db:/app/db" -e TOKEN=change-me llmio

# Keep in step with the `bun` devDependency in package.json, which `npm start` / `npm test` use.
ARG BUN_VERSION=1.4.5

# ── build: install with the lockfile, build the web UI, compile the binary ──────────────────────────────
FROM oven/bun:${BUN_VERSION} AS build
WORKDIR /src
# Dependencies first, so this layer stays cached until the manifests change. Bun installs the exact
# versions of package-lock.json (or bun.lock, when one exists) and fails instead of updating them.
# The npm `bun` package's binary needs its postinstall; package scripts use this image's bun instead.
COPY package.json package-lock.json* bun.lock* bunfig.toml ./
RUN bun install --frozen-lockfile \
  && ln -sf "$(command -v bun)" node_modules/.bin/bun \
  && ln -sf "$(command -v bun)" node_modules/.bin/bunx
COPY . .
# build:ui (vite build + the generated embed module), then `bun build --compile` into dist/llmio.
# No node in this image: `bun run` maps the `node` shebangs of vite and friends to bun.
RUN bun scripts/build.ts && ./dist/llmio --version

# ── runtime: the binary alone ───────────────────────────────────────────────────────────────────────────
FROM debian:bookworm-slim AS runtime
# ca-certificates for corporate CAs (NODE_EXTRA_CA_CERTS / system store), tzdata so TZ names resolve.
# uid 1000 matches the usual first user on a host, so a bind-mounted ./db stays writable.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates tzdata \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --gid 1000 llmio \
  && useradd --uid 1000 --gid llmio --home-dir /app --no-create-home --shell /usr/sbin/nologin llmio \
  && mkdir -p /app/db \
  && chown llmio:llmio /app/db
WORKDIR /app
COPY --from=build --chmod=0755 /src/dist/llmio /app/llmio
USER llmio
ENV TZ=UTC
# The database lives at ./db/llmio.db relative to WORKDIR: /app/db/llmio.db.
VOLUME /app/db
EXPOSE 7070
# Alive when the public OpenAPI document answers 200; slim Debian has bash but no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-${LLMIO_SERVER_PORT:-7070}} && printf 'GET /openapi/json HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q '^HTTP/1\\.[01] 200'"]
ENTRYPOINT ["/app/llmio"]

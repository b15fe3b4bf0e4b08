# syntax=docker/dockerfile:1
#
# One image recipe for every Warren service. The service is chosen at build time:
#
#   docker build --build-arg SERVICE=auth -t warren-auth .
#
# docker-compose.yml builds one image per service this way. The image runs the service's TypeScript
# with tsx (`node --import tsx services/<SERVICE>/src/main.ts`), as the unprivileged `node` user.
# docs/deployment.md explains the rest.

ARG NODE_VERSION=20.19

# --- base: Node.js on Debian slim (glibc, so bcrypt's prebuilt binary loads) ----------------------
FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# --- manifests: only package.json files and the lockfile, so `npm ci` is cached until they change --
FROM base AS manifests
COPY . /src
RUN cd /src \
    && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /app \; \
    && cp package-lock.json /app/

# --- deps: every workspace's dependencies, from the lockfile --------------------------------------
# Dev dependencies are kept: tsx, which runs the TypeScript, is one of them.
FROM base AS deps
COPY --from=manifests /app/ ./
RUN npm ci && npm cache clean --force

# --- runtime --------------------------------------------------------------------------------------
FROM base AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
COPY --from=deps /app/ ./
COPY . .
RUN if [ ! -f "services/${SERVICE}/src/main.ts" ]; then \
      echo "no services/${SERVICE}/src/main.ts: build with --build-arg SERVICE=<a folder of services/>" >&2; \
      exit 1; \
    fi

# A place for state that must outlive the container (auth's generated signing key): compose mounts
# a named volume here, and a new named volume starts out with this directory's owner.
RUN mkdir -p /var/lib/warren && chown node:node /var/lib/warren

USER node

# Readiness on the service's PORT, which compose always sets (unset, the check fails: set it).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# exec: the shell becomes node, which gets SIGTERM itself (compose adds an init that forwards it).
CMD ["sh", "-c", "exec node --import tsx \"services/${SERVICE}/src/main.ts\""]

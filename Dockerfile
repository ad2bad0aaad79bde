# One image for the four services; the command picks the service a container runs:
#   docker build -t aid-ledger .
#   docker run aid-ledger node dist/services/logistics/src/main.js
# docker-compose.yml builds it once and runs each service from it.

ARG NODE_IMAGE=node:24-bookworm-slim

# Stage 1: every dependency, dev tools included, from the lockfile exactly.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
# The workspace manifests are all npm ci needs to link @aid/* (libs/<name>/index.js -> dist/).
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/index.js libs/contracts/
COPY libs/event-store/package.json libs/event-store/index.js libs/event-store/
COPY libs/commands/package.json libs/commands/index.js libs/commands/
COPY libs/projections/package.json libs/projections/index.js libs/projections/
COPY libs/relay/package.json libs/relay/index.js libs/relay/
COPY libs/messaging/package.json libs/messaging/index.js libs/messaging/
COPY libs/testing/package.json libs/testing/index.js libs/testing/
RUN npm ci --no-audit --no-fund

# Stage 2: compile TypeScript into dist/, then drop the dev dependencies.
FROM dependencies AS build
COPY tsconfig.base.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY services ./services
COPY scripts ./scripts
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf libs/*/src libs/*/test

# Stage 3: what runs: production dependencies, the compiled code, no compilers, not root.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/libs ./libs
COPY --from=build --chown=root:root /app/dist ./dist
# Every service with a young generation twice V8's default (SERVICE_NODE_ARGUMENTS in
# libs/messaging/src/bootstrap.ts says why); npm start and the tests pass the same flag.
ENV NODE_OPTIONS=--max-semi-space-size=32
# The image's own `node` user (uid 1000): the code is root-owned and read-only to it.
USER node
EXPOSE 3000
# The gateway by default; compose sets the command of the other three.
CMD ["node", "dist/services/gateway/src/main.js"]

# datamon: one image for every role (scheduler, checks, alerts, api), run as a non-root user.
# Stage 1 installs production dependencies from the lock file; stage 2 compiles the TypeScript
# into dist/ (`npm run bundle`); stage 3 is what runs: plain node, no TypeScript loader.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/config/package.json packages/config/
COPY packages/io/package.json packages/io/
COPY packages/checks/package.json packages/checks/
COPY packages/notifiers/package.json packages/notifiers/
COPY packages/store/package.json packages/store/
COPY packages/jobs/package.json packages/jobs/
COPY packages/workers/package.json packages/workers/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
RUN npm ci --omit=dev --no-audit --no-fund

FROM deps AS build
COPY packages ./packages
COPY scripts/bundle.mjs ./scripts/bundle.mjs
RUN node scripts/bundle.mjs

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
# Memory (BENCHMARKS.md, "Memory"): a smaller young generation, about 30 MB less per role for a
# little more GC work; and glibc's malloc gives every block of 128 KiB or more back to the system
# when it is freed, instead of raising that line as it goes and keeping big freed blocks in a
# fragmented heap (30-50 MB per role after busy rounds). Keep in step with deploy/datamon.service.
ENV NODE_OPTIONS=--max-semi-space-size=2
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/package.json /app/package-lock.json ./
# The workspace packages stay: node_modules/@datamon/* link to them (the dashboard's files too).
COPY packages ./packages
COPY --from=build /app/dist ./dist
COPY config ./config
USER node
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+(process.env.DATAMON_PORT||5000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/datamon.mjs"]
CMD ["start", "--config", "config/monitoring_config.docker.yaml"]

# tablecast: a two-stage image. The first stage installs everything and builds (scripts/build.mjs:
# packages/*/dist and the dashboard); the second holds only the built code and the production
# dependencies, and runs `tablecast serve` with plain node as an unprivileged user.
#   docker build -t tablecast .
#   docker run -p 8000:8000 tablecast                       # simulator, memory broker
#   docker run -p 8000:8000 -e TABLECAST_BROKER=redis://redis:6379 tablecast
# Two nodes, Redis and nginx: deploy/compose.yaml.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY . .
# npm ci runs `prepare`, the build.
RUN npm ci --no-audit --no-fund

FROM node:22-bookworm-slim
# ffmpeg only for video:/camera: sources; drop this line for simulator/image/replay deployments.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/scripts/build.mjs ./scripts/build.mjs
COPY --from=build /app/packages ./packages
COPY --from=build /app/apps/web/package.json ./apps/web/package.json
COPY --from=build /app/apps/web/dist ./apps/web/dist
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:8000/api/v1/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "packages/server/bin/tablecast.js", "serve"]

# One image for every store: which one it uses is decided at run time by DATABASE_URL.
# NODE_IMAGE lets a machine that cannot pull node:20-bookworm-slim build on a
# local stand-in (compose.offline.yml, tools/compose/standins.sh).
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: all dependencies, compile, then drop the dev ones.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: production dependencies and the compiled service only, as the unprivileged node user.
FROM ${NODE_IMAGE}
WORKDIR /app
ENV HOST=0.0.0.0 PORT=3000
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir data && chown node:node data
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]

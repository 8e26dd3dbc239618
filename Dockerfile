# The broker image: builds better-sqlite3 from source, compiles TypeScript, runs dist/.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci links the workspace packages (libs/*) into node_modules/@shoal: their manifests first.
COPY libs/protocol/package.json ./libs/protocol/
COPY libs/client/package.json ./libs/client/
COPY libs/transport/package.json ./libs/transport/
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY libs ./libs
COPY bench ./bench
COPY examples ./examples
COPY cli ./cli
COPY console ./console
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=8080 DATABASE_URL=sqlite:/var/lib/shoal/shoal.db
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# node_modules/@shoal/* are links to the workspace packages: their manifests and builds.
COPY --from=build /app/libs/protocol/package.json ./libs/protocol/
COPY --from=build /app/libs/protocol/dist ./libs/protocol/dist
COPY --from=build /app/libs/client/package.json ./libs/client/
COPY --from=build /app/libs/client/dist ./libs/client/dist
COPY --from=build /app/libs/transport/package.json ./libs/transport/
COPY --from=build /app/libs/transport/dist ./libs/transport/dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /var/lib/shoal && chown node:node /var/lib/shoal
USER node
EXPOSE 8080 9092
VOLUME /var/lib/shoal
CMD ["node", "dist/src/main.js"]

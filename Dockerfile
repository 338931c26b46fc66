# passthru, for docker-compose.yml: compiled in one stage, run from dist/ with production dependencies only.
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY projections ./projections
COPY services ./services
# npm ci runs prepare, which compiles the TypeScript into dist/.
RUN npm ci
# Keep the compiled better-sqlite3, drop the dev dependencies.
RUN npm prune --omit=dev

FROM node:20-bookworm-slim
# openssl makes the self-signed certificate when the service is bound beyond loopback with none given.
RUN apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    PASSTHRU_DATA_DIR=/var/lib/passthru \
    PASSTHRU_BIND=0.0.0.0 \
    PASSTHRU_PORT=8080
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /var/lib/passthru && chown node:node /var/lib/passthru
USER node
VOLUME /var/lib/passthru
EXPOSE 8080
# Bound to 0.0.0.0 the service serves HTTPS (a certificate it makes, unless PASSTHRU_TLS_CERT is given) unless
# PASSTHRU_INSECURE_HTTP=1. The probe sends no token and reads only /healthz on loopback, so it need not verify the certificate.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const plain = process.env.PASSTHRU_INSECURE_HTTP === '1' && !process.env.PASSTHRU_TLS_CERT; require(plain ? 'node:http' : 'node:https').get({ host: '127.0.0.1', port: process.env.PASSTHRU_PORT, path: '/healthz', rejectUnauthorized: false }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
ENTRYPOINT ["node", "bin/passthru.js"]
CMD ["serve"]

# The reference ingestion service (service/), as the target contract expects it: PORT and AMQP_URL in the
# environment, GET /healthz answers 200 once it can take traffic. Build: `docker build -t rushgate/service .`
# Without a registry, docker/build-local-images.sh builds it on a local Node 20 base via NODE_IMAGE.
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}

ENV NODE_ENV=production
WORKDIR /app

# Production dependencies only. --ignore-scripts: the service needs no native addon, and `canvas` (the
# harness's report charts) would otherwise try to compile against Cairo headers the image does not have.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && npm cache clean --force

COPY service ./service

USER node
# Inside a container the service must listen on all of the container's interfaces; with host networking
# (how rushgate runs it) set HOST=127.0.0.1 to keep it on loopback.
ENV HOST=0.0.0.0 PORT=8080 PUBLISHER=shared UNITS=1
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+(process.env.HEALTH_PATH||'/healthz')).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "service/main.ts"]

# Inlet: one image with both executables (inlet-server, inlet-worker) and the migrations.
#
#   docker build -t inlet .
#   docker compose up
#
# Build stage: the official Swift image plus libpq's headers.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies first so they are cached across source changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product inlet-server \
    && swift build -c release --static-swift-stdlib --product inlet-worker \
    && mkdir -p /out/bin \
    && cp "$(swift build -c release --show-bin-path)/inlet-server" "$(swift build -c release --show-bin-path)/inlet-worker" /out/bin/

# Run stage: a slim Debian with libpq and CA certificates, as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin inlet
WORKDIR /app
COPY --from=build /out/bin/ /usr/local/bin/
COPY sql ./sql
ENV INLET_MIGRATIONS_DIR=/app/sql INLET_HOST=0.0.0.0 INLET_PORT=8080 INLET_WORKER_METRICS_HOST=0.0.0.0
USER inlet
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["inlet-server"]
CMD ["serve"]

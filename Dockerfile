# Inlet: one image with both executables (inlet-server, inlet-worker), the `inlet` command-line client and the
# migrations.
#
#   docker build -t inlet .
#   docker compose up
#
# Build stage: the official Swift image plus libpq's headers. Swift 6.3, the toolchain Inlet is tested with; 6.2 is
# the least that builds the dependencies (swift-log, Hummingbird, AsyncHTTPClient and others declare
# swift-tools-version 6.2; scripts/deploy-check compares this line with the resolved packages).
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies first so they are cached across source changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product inlet-server \
    && swift build -c release --static-swift-stdlib --product inlet-worker \
    && swift build -c release --static-swift-stdlib --product inlet \
    && mkdir -p /out/bin \
    && bin="$(swift build -c release --show-bin-path)" \
    && cp "$bin/inlet-server" "$bin/inlet-worker" "$bin/inlet" /out/bin/

# Run stage: a slim Debian with libpq and CA certificates, as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin inlet
WORKDIR /app
COPY --from=build /out/bin/ /usr/local/bin/
COPY sql ./sql
ENV INLET_MIGRATIONS_DIR=/app/sql INLET_HOST=0.0.0.0 INLET_PORT=8080 INLET_WORKER_METRICS_HOST=0.0.0.0
USER inlet
EXPOSE 8080 9090
# The server's check; the compose file gives workers their own (`inlet-worker healthcheck`, on their metrics port).
HEALTHCHECK --interval=10s --timeout=3s CMD ["inlet-server", "healthcheck"]
ENTRYPOINT ["inlet-server"]
CMD ["serve"]

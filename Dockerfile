# Event-gRPC images: one image, two binaries (IngestGateway, SinkWorker); the compose file picks the command.
#
# Build stage: the Swift toolchain on Debian 12 with the C libraries' -dev packages; the Swift runtime is linked
# statically so the runtime stage needs only the C libraries.
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        librabbitmq-dev libnghttp2-dev libcurl4-openssl-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
# The context has no .git: pass the revision to compile in
# (`--build-arg EVENTGRPC_GIT_REVISION=$(git describe --always --dirty --abbrev=12)`).
ARG EVENTGRPC_GIT_REVISION=unknown
RUN scripts/version.sh \
    && swift build -c release --static-swift-stdlib \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /out \
    && cp "$bin/IngestGateway" "$bin/SinkWorker" /out/

# Runtime stage: Debian 12 slim with the shared C libraries, curl for the health check, and no toolchain.
FROM debian:bookworm-slim

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        librabbitmq4 libnghttp2-14 libcurl4 zlib1g ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home eventgrpc \
    && mkdir -p /app/config /app/spool \
    && chown eventgrpc:eventgrpc /app /app/spool

COPY --from=build /out/IngestGateway /out/SinkWorker /usr/local/bin/
COPY config/topology.json /app/config/topology.json
ENV TOPOLOGY_FILE=/app/config/topology.json

WORKDIR /app
USER eventgrpc
EXPOSE 8017 8019
CMD ["IngestGateway"]

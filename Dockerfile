# syntax=docker/dockerfile:1

# Bar Raiser container image: a static Go binary on distroless, run as the
# non-root user 65532.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t barraiser .
#   docker run -p 8080:8080 -v barraiser-data:/data barraiser
#
# With no DATABASE_URL the server keeps its embedded SQLite store in /data;
# with DATABASE_URL=postgres://... it uses PostgreSQL (see compose.yaml).

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src

# Modules first, so this layer is reused until go.mod or go.sum changes.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
ARG VERSION=dev
# The SQLite driver is pure Go, so the binary is static and needs no libc.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=${VERSION}" \
      -o /out/barraiser ./cmd/barraiser

# The data directory must exist and belong to the runtime user before it
# becomes a volume, or the embedded store cannot be created.
RUN mkdir -p /out/data && chown 65532:65532 /out/data && chmod 0750 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/barraiser /barraiser
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV ADDR=0.0.0.0:8080 \
    DATA_DIR=/data
EXPOSE 8080
VOLUME ["/data"]
# No HEALTHCHECK: distroless has no shell or curl. Probe GET /healthz from the
# orchestrator instead.
ENTRYPOINT ["/barraiser"]
CMD ["serve"]

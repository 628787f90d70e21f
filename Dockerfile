# syntax=docker/dockerfile:1

# The partnerops image: one static binary whose subcommand picks the role
# (api, worker, migrate up, token create ...). docker-compose.yml builds it.
#
#   docker build -t partnerops .
#   docker run --rm partnerops --help

# ---- build ------------------------------------------------------------------
# go.mod asks for Go 1.26.8 or newer and golang images build with
# GOTOOLCHAIN=local, so the image must be that new: golang:1.26 follows the
# newest 1.26 patch release.
FROM golang:1.26 AS build
WORKDIR /src

# Dependencies first, in a layer of their own: rebuilt only when go.mod or
# go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
# Pure Go (the PostgreSQL driver and the embedded Temporal server's SQLite are
# both cgo-free), so the binary is static and runs on a distroless base. The
# time zone database is compiled in (time/tzdata), so PARTNEROPS_TIMEZONE
# needs nothing from the base image.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" \
        -o /partnerops ./cmd/partnerops

# ---- run --------------------------------------------------------------------
# Distroless: CA certificates (Temporal Cloud, TLS) and a non-root user, no
# shell. So no in-container healthcheck: probe GET /healthz and /readyz on
# the API port from outside (a load balancer, Kubernetes).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /partnerops /partnerops

# Inside a container the API must listen on every interface, not on the
# binary's loopback default; a flag or the variable still wins over this.
ENV PARTNEROPS_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080 8090

USER nonroot:nonroot
ENTRYPOINT ["/partnerops"]
CMD ["--help"]

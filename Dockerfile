# syntax=docker/dockerfile:1
#
# yousaid: one static, non-root binary on distroless.
#
#   docker build -t yousaid .
#   docker run --rm -p 8080:8080 -e ADMIN_EMAIL=... -e ADMIN_PASSWORD=... \
#     -v yousaid-data:/data yousaid            # embedded store in /data
#
# With MONGODB_URI set (see docker-compose.yml) the server keeps nothing on
# disk and /data stays empty.

# ---- build ------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Modules first, so that a change to the source does not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
# FerretDB's SQLite backend is pure Go (modernc.org/sqlite): no cgo needed,
# so the binary is fully static and runs on distroless/static.
# The build cache mount keeps FerretDB's ~1.5 min compile across builds.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/yousaid ./server

# The data folder for the embedded store, handed to the nonroot user below
# (distroless has no shell to mkdir/chown in the runtime stage).
RUN mkdir -p /out/data

# ---- runtime ----------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/yousaid /usr/local/bin/yousaid
COPY --from=build --chown=65532:65532 /out/data /data

ENV ADDR=:8080 \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080

USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/yousaid"]

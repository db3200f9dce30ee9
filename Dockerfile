# syntax=docker/dockerfile:1
# Multi-stage: the web client and the server are each built with their
# dependencies in a cached layer; the final image holds the binary, the
# built client and CA certificates, and runs as an unprivileged user.

FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY schema.graphql /src/schema.graphql
COPY frontend/ ./
RUN npm run build

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is reused until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY crates/domain/Cargo.toml crates/domain/Cargo.toml
COPY crates/db/Cargo.toml crates/db/Cargo.toml
COPY crates/realtime/Cargo.toml crates/realtime/Cargo.toml
COPY crates/live/Cargo.toml crates/live/Cargo.toml
COPY crates/app/Cargo.toml crates/app/Cargo.toml
COPY crates/graphql/Cargo.toml crates/graphql/Cargo.toml
COPY crates/server/Cargo.toml crates/server/Cargo.toml
COPY crates/loadtest/Cargo.toml crates/loadtest/Cargo.toml
RUN for c in domain db realtime live app graphql server loadtest; do \
      mkdir -p "crates/$c/src" && echo 'fn main() {}' > "crates/$c/src/main.rs" && touch "crates/$c/src/lib.rs"; \
    done \
 && cargo build --release --locked --bin cortege \
 && rm -rf crates/*/src target/release/.fingerprint/cortege-*
COPY . .
RUN cargo build --release --locked --bin cortege \
 && install -m 0755 target/release/cortege /usr/local/bin/cortege

FROM debian:bookworm-slim
# CA certificates and libssl unpinned on purpose: the current ones are what is wanted.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/cortege --create-home --uid 10001 cortege \
 && mkdir -p /var/lib/cortege/media /var/lib/cortege/mail \
 && chown -R 10001:10001 /var/lib/cortege
COPY --from=build /usr/local/bin/cortege /usr/local/bin/cortege
COPY --from=web /src/frontend/dist /usr/share/cortege/web
USER 10001:10001
WORKDIR /var/lib/cortege
ENV CORTEGE_DATA_DIR=/var/lib/cortege \
    CORTEGE_WEB_DIR=/usr/share/cortege/web \
    CORTEGE_LISTEN=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cortege"]
CMD ["serve"]

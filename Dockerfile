# syntax=docker/dockerfile:1
# Multi-stage: the server is built with its dependencies in a cached layer;
# the final image holds the binary and CA certificates only, and runs as an
# unprivileged user. (The web client's build stage joins when it lands.)

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is reused until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY crates/domain/Cargo.toml crates/domain/Cargo.toml
COPY crates/db/Cargo.toml crates/db/Cargo.toml
COPY crates/realtime/Cargo.toml crates/realtime/Cargo.toml
COPY crates/graphql/Cargo.toml crates/graphql/Cargo.toml
COPY crates/server/Cargo.toml crates/server/Cargo.toml
COPY crates/loadtest/Cargo.toml crates/loadtest/Cargo.toml
RUN for c in domain db realtime graphql server loadtest; do \
      mkdir -p "crates/$c/src" && echo 'fn main() {}' > "crates/$c/src/main.rs" && touch "crates/$c/src/lib.rs"; \
    done \
 && cargo build --release --locked --bin cortege \
 && rm -rf crates/*/src target/release/.fingerprint/cortege-*
COPY . .
RUN cargo build --release --locked --bin cortege \
 && install -m 0755 target/release/cortege /usr/local/bin/cortege

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=20230311 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/cortege --create-home --uid 10001 cortege
COPY --from=build /usr/local/bin/cortege /usr/local/bin/cortege
USER 10001:10001
WORKDIR /var/lib/cortege
ENV CORTEGE_DATA_DIR=/var/lib/cortege \
    CORTEGE_LISTEN=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cortege"]
CMD ["serve"]

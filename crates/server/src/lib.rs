//! The `cortege` server: configuration, the embedded database, the HTTP
//! surface and the command-line subcommands. `main.rs` stays thin so tests
//! can build the same application in-process.

pub mod answers;
pub mod app;
pub mod backup;
pub mod config;
pub mod embedded;
pub mod export_http;
pub mod graphiql;
pub mod http;
pub mod hygiene;
pub mod import;
pub mod metrics;
pub mod notify_http;
pub mod pages;
pub mod peer;
pub mod seed;
pub mod telemetry;
pub mod wire;
pub mod ws;

//! Logging: human-readable by default, JSON with CORTEGE_LOG_FORMAT=json;
//! the filter comes from RUST_LOG (default: info for Cortège, warn elsewhere).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("warn,cortege=info,cortege_server=info,cortege_graphql=info,cortege_db=info,tower_http=info")
    });
    let json = std::env::var("CORTEGE_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

//! GraphiQL at a browser's GET /graphql: the page built from npm with the
//! web client (frontend/graphiql.html), served from this server so that no
//! CDN sees who explores the API and no third party's script runs on the
//! movement's origin. Off in production unless CORTEGE_GRAPHIQL=true.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::config::Config;

/// What a browser's GET /graphql shows.
pub enum GraphiQl {
    Off,
    /// The page built with the web client (frontend/graphiql.html).
    Page(std::path::PathBuf),
    NotBuilt,
}

impl GraphiQl {
    pub fn new(config: &Config) -> Self {
        if !config.graphiql_enabled() {
            return GraphiQl::Off;
        }
        match config.web_dir().map(|d| d.join("graphiql.html")) {
            Some(page) if page.is_file() => GraphiQl::Page(page),
            _ => GraphiQl::NotBuilt,
        }
    }

    pub async fn respond(&self) -> Response {
        match self {
            GraphiQl::Page(path) => match tokio::fs::read_to_string(path).await {
                Ok(page) => Html(page).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, path = %path.display(), "reading GraphiQL's page");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            },
            GraphiQl::NotBuilt => Html(
                "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>GraphiQL</title>\
                 <div id=\"graphiql\"><p>GraphiQL is built with the web client \
                 (<code>cd frontend && npm ci && npm run build</code>). The API answers \
                 POST /graphql.</p></div></html>",
            )
            .into_response(),
            GraphiQl::Off => (
                StatusCode::NOT_FOUND,
                "GraphiQL is off in production (CORTEGE_GRAPHIQL=true turns it on); \
                 the API answers POST /graphql",
            )
                .into_response(),
        }
    }
}

//! GraphQL over HTTP, as its specification (and the reference audit,
//! npm `graphql-http`, run by the test command) has it: which media type a
//! client accepts, and how a GraphQL answer is encoded in it, with which
//! status.
//!
//! - `application/json` (also for `*/*` or no Accept): 200 for every answer
//!   to a well-formed request, errors included, as older clients expect.
//! - `application/graphql-response+json`: a request error (the document
//!   does not parse or validate, a variable does not coerce, the request is
//!   refused before execution) gets a 4xx/5xx status by its code.
//! - In both, a request error has no `data` entry (GraphQL spec, "Response
//!   Format": it is absent when execution did not start).

use async_graphql::{BatchResponse, Response as GqlResponse, ServerError};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// What the server answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Json,
    GraphQlResponseJson,
}

impl MediaType {
    const GRAPHQL_RESPONSE: &'static str = "application/graphql-response+json";
    const JSON: &'static str = "application/json";

    /// The best of the client's Accept header, by quality; an explicit
    /// type wins over a wildcard at equal quality, and the GraphQL type
    /// over plain JSON. No Accept, or nothing we serve: JSON.
    pub fn negotiate(headers: &HeaderMap) -> Self {
        let mut best: Option<(f32, u8, MediaType)> = None;
        for value in headers.get_all(header::ACCEPT) {
            let Ok(value) = value.to_str() else { continue };
            for range in value.split(',') {
                let mut parts = range.split(';');
                let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                let quality = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let (rank, media) = match name.as_str() {
                    Self::GRAPHQL_RESPONSE => (3, MediaType::GraphQlResponseJson),
                    Self::JSON => (2, MediaType::Json),
                    "application/*" | "*/*" => (1, MediaType::Json),
                    _ => continue,
                };
                if quality <= 0.0 {
                    continue;
                }
                if best.is_none_or(|(q, r, _)| (quality, rank) > (q, r)) {
                    best = Some((quality, rank, media));
                }
            }
        }
        best.map_or(MediaType::Json, |(_, _, media)| media)
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::Json => "application/json; charset=utf-8",
            MediaType::GraphQlResponseJson => "application/graphql-response+json; charset=utf-8",
        })
    }
}

/// Whether execution never started: no data, and errors about the request
/// as a whole (a field error always carries its path).
fn is_request_error(response: &GqlResponse) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

fn code_of(error: &ServerError) -> Option<String> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The status of a request error under `application/graphql-response+json`.
fn request_error_status(response: &GqlResponse) -> StatusCode {
    match response.errors.first().and_then(code_of).as_deref() {
        Some("UNAUTHENTICATED") => StatusCode::UNAUTHORIZED,
        Some("FORBIDDEN") => StatusCode::FORBIDDEN,
        Some("RATE_LIMITED") => StatusCode::TOO_MANY_REQUESTS,
        Some("UNAVAILABLE") => StatusCode::SERVICE_UNAVAILABLE,
        Some("INTERNAL") => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The longest `retryAfterSeconds` among the errors, for `Retry-After`.
fn retry_after(responses: &[&GqlResponse]) -> Option<u64> {
    responses
        .iter()
        .flat_map(|r| r.errors.iter())
        .filter_map(|e| match e.extensions.as_ref()?.get("retryAfterSeconds")? {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .max()
}

fn to_json(response: &GqlResponse) -> serde_json::Value {
    let mut json = serde_json::to_value(response).unwrap_or_else(|e| {
        tracing::error!(error = %e, "encoding a GraphQL response");
        serde_json::json!({ "errors": [{ "message": "internal error",
            "extensions": { "code": "INTERNAL" } }] })
    });
    if is_request_error(response)
        && let Some(map) = json.as_object_mut()
    {
        map.remove("data");
    }
    json
}

/// Encodes an answer in `media`, with its status, cache and headers (the
/// session cookie a resolver sets travels in `http_headers`).
pub fn encode(media: MediaType, response: BatchResponse) -> Response {
    let (status, body, parts): (StatusCode, serde_json::Value, Vec<&GqlResponse>) = match &response
    {
        BatchResponse::Single(r) => {
            let status = if media == MediaType::GraphQlResponseJson && is_request_error(r) {
                request_error_status(r)
            } else {
                StatusCode::OK
            };
            (status, to_json(r), vec![r])
        }
        BatchResponse::Batch(rs) => (
            StatusCode::OK,
            serde_json::Value::Array(rs.iter().map(to_json).collect()),
            rs.iter().collect(),
        ),
    };
    let mut http = (status, body.to_string()).into_response();
    let headers = http.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.content_type());
    if let Some(seconds) = retry_after(&parts) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if response.is_ok()
        && let Some(cache) = response.cache_control().value()
        && let Ok(value) = HeaderValue::from_str(&cache)
    {
        headers.insert(header::CACHE_CONTROL, value);
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.extend(response.http_headers());
    http
}

/// A request-level error (nothing executed) in `media`.
pub fn request_error(media: MediaType, error: ServerError) -> Response {
    encode(
        media,
        BatchResponse::Single(GqlResponse::from_errors(vec![error])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> MediaType {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        MediaType::negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_best_supported_type() {
        assert_eq!(MediaType::negotiate(&HeaderMap::new()), MediaType::Json);
        assert_eq!(accept("*/*"), MediaType::Json);
        assert_eq!(accept("application/json"), MediaType::Json);
        assert_eq!(accept("text/html"), MediaType::Json);
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            MediaType::GraphQlResponseJson
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            MediaType::GraphQlResponseJson
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            MediaType::Json
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0, */*"),
            MediaType::Json
        );
    }
}

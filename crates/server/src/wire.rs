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
//! - What a POST must be before it is read: JSON, or multipart with a
//!   CSRF header when a cookie authenticates it, and with a query.

use async_graphql::{BatchRequest, BatchResponse, Response as GqlResponse, ServerError};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cortege_graphql::error::{ApiError, server_error};

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

/// A request error as the specification has it: no `data` entry.
#[derive(serde::Serialize)]
struct WithoutData<'r> {
    errors: &'r [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'r std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Appends `response` as JSON to `out` (straight to bytes: a large page is
/// not built twice).
fn write_json(response: &GqlResponse, out: &mut Vec<u8>) {
    let start = out.len();
    let written = if is_request_error(response) {
        serde_json::to_writer(
            &mut *out,
            &WithoutData {
                errors: &response.errors,
                extensions: &response.extensions,
            },
        )
    } else {
        serde_json::to_writer(&mut *out, response)
    };
    if let Err(e) = written {
        tracing::error!(error = %e, "encoding a GraphQL response");
        out.truncate(start);
        out.extend_from_slice(
            br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#,
        );
    }
}

/// Encodes an answer in `media`, with its status, cache and headers (the
/// session cookie a resolver sets travels in `http_headers`).
pub fn encode(media: MediaType, response: BatchResponse) -> Response {
    let mut body = Vec::new();
    let (status, parts): (StatusCode, Vec<&GqlResponse>) = match &response {
        BatchResponse::Single(r) => {
            let status = if media == MediaType::GraphQlResponseJson && is_request_error(r) {
                request_error_status(r)
            } else {
                StatusCode::OK
            };
            write_json(r, &mut body);
            (status, vec![r])
        }
        BatchResponse::Batch(rs) => {
            body.push(b'[');
            for (i, r) in rs.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                write_json(r, &mut body);
            }
            body.push(b']');
            (StatusCode::OK, rs.iter().collect())
        }
    };
    let mut http = (status, body).into_response();
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

/// An API error refusing the request before anything executed.
pub fn api_error(media: MediaType, e: ApiError) -> Response {
    request_error(media, server_error(e))
}

/// The same, with the HTTP status the refusal calls for, whatever the
/// media type (a malformed body is 400 even for plain JSON clients).
pub fn refusal(media: MediaType, status: StatusCode, e: ApiError) -> Response {
    let mut response = api_error(media, e);
    *response.status_mut() = status;
    response
}

/// A body without a query (a misspelt key, say) is a malformed request:
/// 400, as GraphQL over HTTP allows, rather than a parse error of "". A
/// persisted query (APQ) may come as its hash alone.
pub fn refuse_queryless(batch: &BatchRequest, media: MediaType) -> Option<Response> {
    let requests = match batch {
        BatchRequest::Single(r) => std::slice::from_ref(r),
        BatchRequest::Batch(rs) => rs.as_slice(),
    };
    let queryless = requests
        .iter()
        .any(|r| r.query.trim().is_empty() && !r.extensions.contains_key("persistedQuery"));
    queryless.then(|| {
        refusal(
            media,
            StatusCode::BAD_REQUEST,
            ApiError::bad_input("query", "a GraphQL request needs a query"),
        )
    })
}

/// A POST is JSON, or multipart for uploads (415 otherwise, and without
/// a Content-Type). Multipart is a type a cross-site form can send, so a
/// cookie-authenticated multipart POST must also carry a header that only
/// a script of our own origin can add (CSRF): `X-Cortege-CSRF`, or the
/// `Apollo-Require-Preflight` that Apollo's upload link sends. Returns the
/// refusal, if any.
pub fn refuse_post_content_type(headers: &HeaderMap, media: MediaType) -> Option<Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let unsupported = |message: &str| {
        refusal(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::bad_input("Content-Type", message),
        )
    };
    match content_type.as_deref() {
        Some("application/json") => None,
        Some("multipart/form-data") => {
            let by_cookie = matches!(
                crate::peer::presented_token(headers),
                crate::peer::Presented::Cookie(_)
            );
            let preflighted = ["x-cortege-csrf", "apollo-require-preflight"]
                .iter()
                .any(|h| headers.get(*h).is_some_and(|v| !v.is_empty()));
            (by_cookie && !preflighted).then(|| {
                refusal(
                    media,
                    StatusCode::FORBIDDEN,
                    ApiError::Forbidden(
                        "a multipart request authenticated by cookie needs the X-Cortege-CSRF \
                         header"
                            .to_owned(),
                    ),
                )
            })
        }
        None => Some(unsupported(
            "a POST needs Content-Type: application/json (or multipart/form-data for uploads)",
        )),
        Some(other) => Some(unsupported(&format!(
            "{other} is not accepted: send application/json (or multipart/form-data for uploads)"
        ))),
    }
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

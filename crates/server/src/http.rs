//! The HTTP surface: GraphQL over HTTP on /graphql (GraphiQL on a plain
//! GET), health checks, media and the web client.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::GraphQLBatchRequest;
use axum::extract::{ConnectInfo, FromRequest, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cortege_graphql::auth::{self, Auth};
use cortege_graphql::error::ApiError;
use cortege_graphql::state::{ClientAddr, SharedState};
use cortege_graphql::{Api, build_api, prepare_request};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::answers::{self, Answers, Key};
use crate::config::Config;
use crate::peer;
use crate::wire::{self, MediaType};
use crate::ws::{self, WsConfig};

/// Operations in one batched request.
const MAX_BATCH: usize = 10;
/// Largest GraphQL request body (JSON or query string).
const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;
/// Largest multipart request: a 5 MB photo and its envelope.
const MAX_MULTIPART_BYTES: usize = 6 * 1024 * 1024;

#[derive(Clone)]
struct Ctx {
    api: Api,
    state: SharedState,
    trusted_proxies: Arc<Vec<IpAddr>>,
    ws: Arc<WsConfig>,
    graphiql: Arc<crate::graphiql::GraphiQl>,
    /// Anonymous answers kept a moment; None when switched off.
    answers: Option<Arc<Answers>>,
}

pub fn router(
    state: SharedState,
    config: &Config,
    bound: SocketAddr,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Router {
    let ctx = Ctx {
        api: build_api(state.clone()),
        state: state.clone(),
        trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        ws: Arc::new(WsConfig {
            allowed_origins: config.allowed_origins(bound),
            init_timeout: std::time::Duration::from_millis(config.ws_init_timeout_ms.max(1)),
            max_subscriptions: config.ws_max_subscriptions,
            send_timeout: std::time::Duration::from_millis(config.ws_send_timeout_ms.max(1)),
            shutdown,
        }),
        graphiql: Arc::new(crate::graphiql::GraphiQl::new(config)),
        answers: Answers::new(std::time::Duration::from_millis(config.answer_cache_ms)),
    };
    if let Some(answers) = &ctx.answers {
        answers.follow(state.bus.clone());
    }
    let media = ServeDir::new(state.app.media.root());
    Router::new()
        .route(
            "/graphql",
            get(graphql_get)
                .post(graphql_post)
                .layer(axum::middleware::from_fn(body_limits)),
        )
        .route(
            "/health/live",
            get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
        )
        .route("/health/ready", get(ready))
        .route(
            "/metrics",
            get(|State(ctx): State<Ctx>| async move { crate::metrics::render(&ctx.state).await }),
        )
        .route(
            "/config.json",
            get({
                let public = serde_json::json!({
                    "tileUrl": config.tile_url,
                    "tileAttribution": config.tile_attribution,
                });
                move || async move { Json(public) }
            }),
        )
        .merge(crate::notify_http::routes(state.clone()))
        .merge(crate::export_http::routes(state.clone()))
        .nest_service("/media", media)
        .merge(match config.web_dir() {
            Some(dir) => crate::pages::routes(state.app.clone(), dir),
            None => Router::new(),
        })
        .fallback_service(web_client(config))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_MULTIPART_BYTES))
        .route_layer(axum::middleware::from_fn(crate::metrics::track_http))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(crate::hygiene::Headers::new(
                &config.public_url(bound),
                &config.tile_url,
            )),
            crate::hygiene::set_headers,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(record_status),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(ctx)
}

/// Every request's span carries its id (x-request-id, set just outside
/// and echoed to the client), so a log line can be traced to a request.
fn request_span(request: &axum::extract::Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let path = request.uri().path();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %path,
        request_id = %id,
        // For traces (OpenTelemetry's names): one span name per route, not
        // per photo or event page.
        otel.name = %format_args!("{} {}", request.method(), route_of(path)),
        otel.kind = "server",
        http.response.status_code = tracing::field::Empty,
    )
}

/// The route a path belongs to, as a trace names it.
fn route_of(path: &str) -> &str {
    match path {
        "/graphql" | "/ws" | "/health/live" | "/health/ready" | "/metrics" => path,
        p if p.starts_with("/media/") => "/media/*",
        _ => "/*",
    }
}

fn record_status<B>(
    response: &axum::http::Response<B>,
    _latency: std::time::Duration,
    span: &tracing::Span,
) {
    // As a signed integer: OpenTelemetry has no unsigned one, and an
    // unsigned value would be sent as text.
    span.record(
        "http.response.status_code",
        i64::from(response.status().as_u16()),
    );
}

/// 413 for a body over its limit: 2 MB of JSON, 6 MB of multipart. A body
/// without a length is cut at the limit while it streams.
async fn body_limits(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let limit = if multipart {
        MAX_MULTIPART_BYTES
    } else {
        MAX_JSON_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body over {} MB", limit / (1024 * 1024)),
        )
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// The web client: its files, and index.html for any other path (the app
/// routes in the browser); a placeholder page when it is not built.
fn web_client(config: &Config) -> axum::routing::MethodRouter {
    match config.web_dir() {
        Some(dir) => {
            let index = tower_http::services::ServeFile::new(dir.join("index.html"));
            axum::routing::get_service(ServeDir::new(dir).fallback(index))
        }
        None => get(home),
    }
}

async fn home() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Cortège</title>\
         <h1>Cortège</h1><p>Le serveur fonctionne, mais l'application web n'est pas construite \
         (<code>cd frontend && npm ci && npm run build</code>). API GraphQL : \
         <a href=\"/graphql\">/graphql</a>.</p></html>",
    )
}

/// Longest a readiness probe waits for the database: a load balancer with
/// a short timeout must get an answer (503), not a hang.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);

/// Ready when the database answers within [`READY_TIMEOUT`] and, when Redis
/// is configured, the bus is connected to it; 503 otherwise, saying which.
async fn ready(State(ctx): State<Ctx>) -> Response {
    let bus = ctx.state.bus.state();
    let database_ok =
        match tokio::time::timeout(READY_TIMEOUT, cortege_db::ping(&ctx.state.pool)).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: database unreachable");
                false
            }
            Err(_) => {
                tracing::warn!("readiness: the database did not answer in time");
                false
            }
        };
    let ready = database_ok && bus != cortege_realtime::BusState::Disconnected;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if ready { "ok" } else { "unavailable" },
        "database": if database_ok { "ok" } else { "unreachable" },
        "bus": bus.as_str(),
    });
    (status, Json(body)).into_response()
}

/// Resolves the session; Err is the whole answer for a token that is not
/// (or no longer) valid: never served as anonymous.
async fn authenticate(ctx: &Ctx, headers: &HeaderMap, media: MediaType) -> Result<Auth, Response> {
    let (token, from_cookie) = match peer::presented_token(headers) {
        peer::Presented::None => return Ok(Auth::Anonymous),
        peer::Presented::Bearer(t) => (t, false),
        peer::Presented::Cookie(t) => (t, true),
    };
    match auth::session(&ctx.state.app, &token).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => {
            let mut response = wire::api_error(media, ApiError::Unauthenticated);
            if from_cookie {
                let clear = auth::clear_cookie(ctx.state.config.secure_cookies());
                if let Ok(v) = HeaderValue::from_str(&clear) {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Err(response)
        }
        Err(e) => Err(wire::api_error(media, ApiError::from(e))),
    }
}

async fn execute(
    ctx: &Ctx,
    headers: &HeaderMap,
    peer: SocketAddr,
    media: MediaType,
    batch: BatchRequest,
) -> Response {
    let auth = match authenticate(ctx, headers, media).await {
        Ok(a) => a,
        Err(response) => return response,
    };
    let addr = ClientAddr(peer::client_addr(peer, headers, &ctx.trusted_proxies));
    if let Err(e) = ctx
        .state
        .app
        .limits
        .check_request(addr.0, auth.person().map(|p| p.0))
        .await
    {
        return wire::api_error(media, e.into());
    }
    let response = match batch {
        BatchRequest::Single(request) => {
            let cached = match (&ctx.answers, auth) {
                (Some(answers), Auth::Anonymous) => {
                    Key::new(media, &request).map(|key| (answers, key))
                }
                _ => None,
            };
            if let Some((answers, key)) = &cached
                && let Some(hit) = answers.get(key)
            {
                return hit;
            }
            let generation = ctx.answers.as_ref().map_or(0, |a| a.generation());
            let writes = answers::writes(&request.query);
            let request = prepare_request(request, &ctx.state, auth, addr);
            let response = ctx.api.execute(request).await;
            if writes && let Some(answers) = &ctx.answers {
                answers.invalidate();
            }
            if let Some((answers, key)) = cached
                && response.is_ok()
            {
                let encoded = wire::encode(media, BatchResponse::Single(response));
                return answers.store(key, generation, encoded).await;
            }
            BatchResponse::Single(response)
        }
        BatchRequest::Batch(requests) if requests.len() > MAX_BATCH => {
            return query_limit(
                media,
                &format!("a batch may hold at most {MAX_BATCH} operations"),
            );
        }
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                let writes = answers::writes(&request.query);
                let request = prepare_request(request, &ctx.state, auth, addr);
                responses.push(ctx.api.execute(request).await);
                if writes && let Some(answers) = &ctx.answers {
                    answers.invalidate();
                }
            }
            BatchResponse::Batch(responses)
        }
    };
    wire::encode(media, response)
}

fn query_limit(media: MediaType, message: &str) -> Response {
    let error = cortege_graphql::error::coded(message, cortege_graphql::error::Code::QueryLimit);
    wire::request_error(media, error)
}

/// A body that is not a GraphQL request at all (bad JSON, a number out of
/// range, a broken multipart) still gets a GraphQL error with a code.
struct BodyRejection(async_graphql::ParseRequestError);

impl From<async_graphql::ParseRequestError> for BodyRejection {
    fn from(e: async_graphql::ParseRequestError) -> Self {
        Self(e)
    }
}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        if matches!(self.0, async_graphql::ParseRequestError::PayloadTooLarge) {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        }
        let message = match &self.0 {
            async_graphql::ParseRequestError::InvalidRequest(e) => {
                format!("the request body is not valid JSON: {e}")
            }
            async_graphql::ParseRequestError::InvalidFilesMap(_)
            | async_graphql::ParseRequestError::InvalidMultipart(_) => {
                "the multipart request is malformed".to_owned()
            }
            other => format!("the request is malformed: {other}"),
        };
        wire::refusal(
            MediaType::Json,
            StatusCode::BAD_REQUEST,
            ApiError::bad_input("body", message),
        )
    }
}

async fn graphql_post(
    State(ctx): State<Ctx>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let headers = request.headers().clone();
    let media = MediaType::negotiate(&headers);
    if let Some(response) = wire::refuse_post_content_type(&headers, media) {
        return response;
    }
    let batch = match GraphQLBatchRequest::<BodyRejection>::from_request(request, &()).await {
        Ok(batch) => batch.into_inner(),
        Err(rejection) => return rejection.into_response(),
    };
    if let Some(response) = wire::refuse_queryless(&batch, media) {
        return response;
    }
    execute(&ctx, &headers, peer, media, batch).await
}

/// GET /graphql: GraphiQL for a browser, or a query in the query string
/// (never a mutation: a GET must not change anything, and SameSite=Lax
/// cookies ride along on cross-site links).
async fn graphql_get(
    State(ctx): State<Ctx>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let headers = request.headers().clone();
    if ws::is_upgrade(&headers) {
        let addr = ClientAddr(peer::client_addr(peer, &headers, &ctx.trusted_proxies));
        return ws::upgrade(ctx.api, ctx.state, ctx.ws, addr, request).await;
    }
    let uri = request.uri().clone();
    let Some(query) = uri.query().filter(|q| q.contains("query=")) else {
        return ctx.graphiql.respond().await;
    };
    let media = MediaType::negotiate(&headers);
    let request = match async_graphql::http::parse_query_string(query) {
        Ok(r) => r,
        Err(e) => {
            return wire::refusal(
                media,
                StatusCode::BAD_REQUEST,
                ApiError::bad_input("query", e.to_string()),
            );
        }
    };
    if is_mutation(&request) {
        let mut response = wire::refusal(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            ApiError::bad_input("query", "mutations must be sent with POST"),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&ctx, &headers, peer, media, BatchRequest::Single(request)).await
}

fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false; // execution reports the parse error
    };
    doc.operations.iter().any(|(name, op)| {
        let selected = match (&request.operation_name, name) {
            (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        };
        selected && op.node.ty == OperationType::Mutation
    })
}

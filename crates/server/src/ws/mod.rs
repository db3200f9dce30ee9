//! GraphQL over WebSocket (the graphql-transport-ws protocol of the
//! graphql-ws client) on GET /graphql with an Upgrade header.
//!
//! The protocol handling is ours rather than async-graphql's because the
//! contract fixes close codes it does not produce (4403 for a refused
//! connection_init, where async-graphql closes with 1002), a per-socket
//! subscription limit, revocation of live sockets on logout and ban, and a
//! bound on what a slow client can make the server hold. The WebSocket
//! itself is axum's (tungstenite).
//!
//! The messages and close codes are in [`protocol`]. This file is the one
//! socket's state machine (handshake, operations, revocation, keep-alive);
//! it stays whole, a little over 400 lines, so that every transition reads
//! in one place.
//!
//! A socket's operations are polled by the socket's own task, not one task
//! each: an idle subscribed socket is one task and its streams. Nothing is
//! queued per socket: while a client is slow to read, its streams are not
//! polled, their bus queues fill and are cut (feeds then replay what they
//! missed), and a client that takes no message for CORTEGE_WS_SEND_TIMEOUT_MS
//! is closed with 1013.

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Response as GqlResponse;
use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cortege_graphql::auth::{self, Auth};
use cortege_graphql::error::{Code, coded};
use cortege_graphql::ready::SubscribeReady;
use cortege_graphql::state::{ClientAddr, SharedState};
use cortege_graphql::{Api, prepare_request};
use cortege_realtime::{Channel, Message, Subscription};
use futures_util::stream::{AbortHandle, Abortable, SelectAll};
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::sync::watch;
use uuid::Uuid;

mod protocol;

use protocol::{ClientMessage, Close, error_message, next_message, send};

/// The only subprotocol spoken.
const PROTOCOL: &str = "graphql-transport-ws";
/// Largest message a client may send: a GraphQL document with variables.
const MAX_MESSAGE: usize = 256 * 1024;
/// The socket's read buffer, allocated for its whole life: clients send
/// small messages (a subscription document), and tungstenite reads larger
/// ones in chunks of this size. tungstenite's default, 128 KiB, would cost
/// 1.3 GB for ten thousand sockets; 4 KiB measured 4 of the ~24 KiB a
/// subscribed socket holds.
const READ_BUFFER: usize = 1024;
/// Longest a socket waits for a subscription to start listening before it
/// handles the client's next message.
const READY_WAIT: Duration = Duration::from_secs(5);
/// How often the server pings an idle client.
const KEEPALIVE: Duration = Duration::from_secs(30);
/// How often a socket checks that its session still stands, in case a
/// revocation message was lost with the bus.
const SESSION_RECHECK: Duration = Duration::from_secs(30);

/// WebSocket settings, fixed at start.
pub struct WsConfig {
    pub allowed_origins: Vec<String>,
    pub init_timeout: Duration,
    pub max_subscriptions: usize,
    /// Longest a client may take to accept one message.
    pub send_timeout: Duration,
    /// Turns true when the server shuts down: sockets close with 1001.
    pub shutdown: watch::Receiver<bool>,
}

/// Checks the Origin and upgrades; 403 for a browser page of another site.
pub async fn upgrade(
    api: Api,
    state: SharedState,
    config: Arc<WsConfig>,
    addr: ClientAddr,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, _body) = request.into_parts();
    if let Some(origin) = parts.headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default().trim_end_matches('/');
        if !config.allowed_origins.iter().any(|o| o == origin) {
            return (
                StatusCode::FORBIDDEN,
                "this origin may not open WebSockets here (CORTEGE_ALLOWED_ORIGINS)",
            )
                .into_response();
        }
    }
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    // A token sent with the handshake itself: the session cookie, or an
    // Authorization header from a native client.
    let presented = crate::peer::presented_token(&parts.headers).token();
    ws.protocols([PROTOCOL])
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_MESSAGE * 4)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| async move {
            let connection = Connection {
                api,
                state,
                config,
                addr,
                presented,
                auth: None,
                token_hash: None,
                active: HashMap::new(),
                started: HashSet::new(),
            };
            connection.run(socket).await;
        })
}

struct Connection {
    api: Api,
    state: SharedState,
    config: Arc<WsConfig>,
    addr: ClientAddr,
    presented: Option<String>,
    /// Set once connection_init is acknowledged.
    auth: Option<Auth>,
    token_hash: Option<Vec<u8>>,
    /// Running operations by id, to stop one on `complete`.
    active: HashMap<String, AbortHandle>,
    /// Operations that produced their first response (a refusal can only
    /// be the first).
    started: HashSet<String>,
}

/// One operation's output: (id, a response), then (id, None) when it ends.
type Operation = Abortable<Pin<Box<dyn Stream<Item = (String, Option<GqlResponse>)> + Send>>>;

/// An operation refused before it produced anything (an invalid document,
/// a resolver's refusal at subscribe time): the protocol's `error`, which
/// ends it, rather than `next`. A refusal can only be the first response.
fn is_refusal(response: &GqlResponse) -> bool {
    response.data == async_graphql::Value::Null && response.is_err()
}

impl Connection {
    async fn run(self, socket: WebSocket) {
        metrics::gauge!("cortege_ws_connections").increment(1.0);
        self.serve(socket).await;
        metrics::gauge!("cortege_ws_connections").decrement(1.0);
    }

    async fn serve(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let mut operations: SelectAll<Operation> = SelectAll::new();
        let send_timeout = self.config.send_timeout;
        let mut shutdown = self.config.shutdown.clone();
        let init_deadline = tokio::time::sleep(self.config.init_timeout);
        tokio::pin!(init_deadline);
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.tick().await;
        let mut recheck = tokio::time::interval(SESSION_RECHECK);
        recheck.tick().await;
        let mut revocations: Option<Subscription> = None;
        let close = loop {
            tokio::select! {
                incoming = stream.next() => {
                    let text = match incoming {
                        Some(Ok(WsMessage::Text(t))) => t,
                        Some(Ok(WsMessage::Binary(_))) => break Some(Close(4400, "binary messages are not part of the protocol")),
                        Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break None,
                        Some(Ok(_)) => continue,
                    };
                    // Boxed: the handling of a message (database lookups,
                    // subscribing) is far larger than an idle socket's
                    // state, which would otherwise reserve room for it.
                    match Box::pin(self.handle(text.as_str(), &mut operations)).await {
                        Ok(replies) => {
                            let mut failed = None;
                            for reply in replies {
                                if let Err(e) = send(&mut sink, reply, send_timeout).await {
                                    failed = Some(e);
                                    break;
                                }
                            }
                            if let Some(e) = failed { break e; }
                        }
                        Err(close) => break Some(close),
                    }
                    if revocations.is_none()
                        && let Some(Auth::Session { person, .. }) = self.auth
                    {
                        let channel = [Channel::person(person.0)];
                        revocations = Some(Box::pin(self.state.bus.subscribe(&channel)).await);
                    }
                }
                Some((id, item)) = operations.next(), if !operations.is_empty() => {
                    let (text, _) = self.output(&id, item);
                    if let Err(e) = send(&mut sink, text, send_timeout).await { break e; }
                }
                () = &mut init_deadline, if self.auth.is_none() => {
                    break Some(Close(4408, "Connection initialisation timeout"));
                }
                revoked = async {
                    match revocations.as_mut() {
                        Some(r) => r.recv().await,
                        None => std::future::pending().await,
                    }
                } => {
                    if let Ok(m) = revoked
                        && let Message::SessionsRevoked { session } = *m
                        && self.is_mine(session)
                    {
                        break Some(Close(4403, "Forbidden: the session has ended"));
                    }
                }
                _ = recheck.tick(), if self.token_hash.is_some() => {
                    if !Box::pin(self.session_stands()).await {
                        break Some(Close(4403, "Forbidden: the session has ended"));
                    }
                }
                _ = keepalive.tick() => {
                    if sink.send(WsMessage::text(r#"{"type":"ping"}"#)).await.is_err() { break None; }
                }
                Ok(()) = shutdown.changed() => {
                    if *shutdown.borrow() {
                        break Some(Close(1001, "server shutting down: reconnect"));
                    }
                }
            }
        };
        drop(operations);
        if let Some(Close(code, reason)) = close {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            sink.send(WsMessage::Close(Some(frame))).await.ok();
        }
        sink.close().await.ok();
    }

    /// The message for one item of operation `id`, and whether the
    /// operation goes on; an operation that ended is forgotten.
    fn output(&mut self, id: &str, item: Option<GqlResponse>) -> (String, bool) {
        let first = self.started.insert(id.to_owned());
        let (text, open) = match item {
            Some(response) if first && is_refusal(&response) => {
                (error_message(id, response.errors), false)
            }
            Some(response) => (next_message(id, &response), true),
            None => (
                serde_json::json!({ "id": id, "type": "complete" }).to_string(),
                false,
            ),
        };
        if !open {
            self.active.remove(id);
            self.started.remove(id);
        }
        (text, open)
    }

    fn is_mine(&self, revoked: Option<Uuid>) -> bool {
        match (revoked, self.auth) {
            (None, _) => true,
            (Some(s), Some(Auth::Session { session, .. })) => s == session.0,
            _ => false,
        }
    }

    async fn session_stands(&self) -> bool {
        let Some(hash) = &self.token_hash else {
            return true;
        };
        match auth::session_by_hash(&self.state.pool, hash).await {
            Ok(found) => found.is_some(),
            // The database being away is not the session ending.
            Err(_) => true,
        }
    }

    /// Handles one client message: Ok holds the replies, Err closes.
    async fn handle(
        &mut self,
        text: &str,
        operations: &mut SelectAll<Operation>,
    ) -> Result<Vec<String>, Close> {
        let message: ClientMessage =
            serde_json::from_str(text).map_err(|_| Close(4400, "Invalid message"))?;
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if self.auth.is_some() {
                    return Err(Close(4429, "Too many initialisation requests"));
                }
                let token = match payload.as_ref().and_then(|p| p.get("token")) {
                    Some(serde_json::Value::String(t)) => Some(t.clone()),
                    Some(serde_json::Value::Null) | None => self.presented.clone(),
                    Some(_) => return Err(Close(4403, "Forbidden: token must be a string")),
                };
                self.auth = Some(self.authenticate(token).await?);
                Ok(vec![r#"{"type":"connection_ack"}"#.to_owned()])
            }
            ClientMessage::Ping { payload } => Ok(vec![
                serde_json::json!({ "type": "pong", "payload": payload }).to_string(),
            ]),
            ClientMessage::Pong {} => Ok(Vec::new()),
            ClientMessage::Complete { id } => {
                if let Some(handle) = self.active.remove(&id) {
                    handle.abort();
                    self.started.remove(&id);
                }
                Ok(Vec::new())
            }
            ClientMessage::Subscribe { id, payload } => {
                let Some(auth) = self.auth else {
                    return Err(Close(4401, "Unauthorized"));
                };
                if self.active.contains_key(&id) {
                    // The reason is fixed by the protocol; the id is the
                    // client's own.
                    return Err(Close(4409, "Subscriber for this id already exists"));
                }
                if self.active.len() >= self.config.max_subscriptions {
                    let error = coded(
                        format!(
                            "a connection may hold at most {} subscriptions",
                            self.config.max_subscriptions
                        ),
                        Code::QueryLimit,
                    );
                    return Ok(vec![error_message(&id, vec![error])]);
                }
                if let Err(e) = self
                    .state
                    .app
                    .limits
                    .check_request(self.addr.0, auth.person().map(|p| p.0))
                    .await
                {
                    return Ok(vec![error_message(
                        &id,
                        vec![cortege_graphql::error::server_error(e.into())],
                    )]);
                }
                let (ready_tx, mut ready_rx) = tokio::sync::oneshot::channel();
                let request = prepare_request(*payload, &self.state, auth, self.addr)
                    .data(SubscribeReady::new(ready_tx));
                let live = LiveSubscription::new();
                let tag = id.clone();
                let tail = id.clone();
                let stream = self
                    .api
                    .execute_stream(request)
                    .map(move |r| {
                        let _counted = &live;
                        (tag.clone(), Some(r))
                    })
                    .chain(futures_util::stream::once(async move { (tail, None) }));
                let (handle, registration) = AbortHandle::new_pair();
                let mut operation: Operation = Abortable::new(Box::pin(stream), registration);
                // Run it until it listens (its resolver says so), or until
                // it answers (a query, a refusal): the client's next
                // message is handled only then.
                let mut replies = Vec::new();
                let mut open = true;
                tokio::select! {
                    biased;
                    _ = &mut ready_rx => {}
                    item = operation.next() => match item {
                        Some((_, item)) => {
                            let (text, going_on) = self.output(&id, item);
                            replies.push(text);
                            open = going_on;
                        }
                        None => open = false,
                    },
                    () = tokio::time::sleep(READY_WAIT) => {}
                }
                if open {
                    self.active.insert(id, handle);
                    operations.push(operation);
                }
                Ok(replies)
            }
        }
    }

    async fn authenticate(&mut self, token: Option<String>) -> Result<Auth, Close> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Ok(Auth::Anonymous);
        };
        match auth::session_from_database(&self.state.pool, &token).await {
            Ok(Some(session)) => {
                // Kept for the periodic check that the session still stands.
                self.token_hash = Some(auth::hash_token(&token));
                Ok(session)
            }
            Ok(None) => Err(Close(4403, "Forbidden")),
            // Try again later (1013), which the client does; 4500 would
            // make it give up for good over a passing outage.
            Err(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "WebSocket: database unavailable at connection_init");
                Err(Close(1013, "service momentarily unavailable: reconnect"))
            }
            Err(e) => {
                tracing::error!(error = %e, "WebSocket: looking up a session failed");
                Err(Close(1013, "internal error: reconnect"))
            }
        }
    }
}

/// Whether a request asks to become a WebSocket.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Counts a running operation in `cortege_ws_subscriptions` for as long as
/// its task lives (ended, completed or aborted alike).
struct LiveSubscription;

impl LiveSubscription {
    fn new() -> Self {
        metrics::gauge!("cortege_ws_subscriptions").increment(1.0);
        Self
    }
}

impl Drop for LiveSubscription {
    fn drop(&mut self) {
        metrics::gauge!("cortege_ws_subscriptions").decrement(1.0);
    }
}

//! GraphQL over WebSocket (the graphql-transport-ws protocol of the
//! graphql-ws client) on GET /graphql with an Upgrade header.
//!
//! The protocol handling is ours rather than async-graphql's because the
//! contract fixes close codes it does not produce (4403 for a refused
//! connection_init, where async-graphql closes with 1002), a per-socket
//! subscription limit, revocation of live sockets on logout and ban, and a
//! bounded queue per socket. The WebSocket itself is axum's (tungstenite).
//!
//! Close codes: 4400 unreadable message, 4401 subscribe before the
//! connection is acknowledged, 4403 invalid token or revoked session, 4408
//! no connection_init in time, 4409 duplicate subscription id, 4429 second
//! connection_init, 1013 the client reads too slowly (it reconnects and
//! resumes from its cursor), 1001 the server is shutting down.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Request, Response as GqlResponse, ServerError};
use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cortege_graphql::auth::{self, Auth};
use cortege_graphql::error::{Code, coded};
use cortege_graphql::live::SubscribeReady;
use cortege_graphql::state::{ClientAddr, SharedState};
use cortege_graphql::{CortegeSchema, prepare_request};
use cortege_realtime::{Channel, Message, Subscription};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

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
    pub queue: usize,
    /// Turns true when the server shuts down: sockets close with 1001.
    pub shutdown: watch::Receiver<bool>,
}

/// Checks the Origin and upgrades; 403 for a browser page of another site.
pub async fn upgrade(
    schema: CortegeSchema,
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
    let presented = handshake_token(&parts.headers);
    ws.protocols([PROTOCOL])
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_MESSAGE * 4)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| async move {
            let connection = Connection {
                schema,
                state,
                config,
                addr,
                presented,
                auth: None,
                token_hash: None,
                active: HashMap::new(),
            };
            connection.run(socket).await;
        })
}

/// A token sent with the handshake itself: the session cookie, or an
/// Authorization header from a native client.
fn handshake_token(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == auth::SESSION_COOKIE)
        .map(|(_, token)| token.to_owned())
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<serde_json::Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<serde_json::Value>,
    },
    Pong {},
    Subscribe {
        id: String,
        payload: Box<Request>,
    },
    Complete {
        id: String,
    },
}

/// What ends a connection.
struct Close(u16, &'static str);

struct Connection {
    schema: CortegeSchema,
    state: SharedState,
    config: Arc<WsConfig>,
    addr: ClientAddr,
    presented: Option<String>,
    /// Set once connection_init is acknowledged.
    auth: Option<Auth>,
    token_hash: Option<Vec<u8>>,
    active: HashMap<String, JoinHandle<()>>,
}

/// What subscription tasks tell the connection.
enum Event {
    Send(String),
    Done(String),
    /// A subscription could not queue its message: the client is too slow.
    Overflow,
}

impl Connection {
    async fn run(self, socket: WebSocket) {
        metrics::gauge!("cortege_ws_connections").increment(1.0);
        self.serve(socket).await;
        metrics::gauge!("cortege_ws_connections").decrement(1.0);
    }

    async fn serve(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let (events_tx, mut events) = mpsc::channel::<Event>(self.config.queue.max(1));
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
                    match Box::pin(self.handle(text.as_str(), &events_tx)).await {
                        Ok(Some(reply)) => {
                            if sink.send(WsMessage::text(reply)).await.is_err() { break None; }
                        }
                        Ok(None) => {}
                        Err(close) => break Some(close),
                    }
                    if revocations.is_none()
                        && let Some(Auth::Session { person, .. }) = self.auth
                    {
                        let channel = [Channel::person(person.0)];
                        revocations = Some(Box::pin(self.state.bus.subscribe(&channel)).await);
                    }
                }
                event = events.recv() => match event {
                    Some(Event::Send(text)) => {
                        if sink.send(WsMessage::text(text)).await.is_err() { break None; }
                    }
                    Some(Event::Done(id)) => { self.active.remove(&id); }
                    Some(Event::Overflow) => break Some(Close(1013, "too slow: reconnect and resume from your cursor")),
                    None => break None,
                },
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
        for (_, task) in self.active.drain() {
            task.abort();
        }
        if let Some(Close(code, reason)) = close {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            sink.send(WsMessage::Close(Some(frame))).await.ok();
        }
        sink.close().await.ok();
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
        match cortege_db::sessions::lookup(&self.state.pool, hash).await {
            Ok(found) => found.is_some(),
            // The database being away is not the session ending.
            Err(_) => true,
        }
    }

    /// Handles one client message: Ok(Some) is a direct reply, Err closes.
    async fn handle(
        &mut self,
        text: &str,
        events: &mpsc::Sender<Event>,
    ) -> Result<Option<String>, Close> {
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
                Ok(Some(r#"{"type":"connection_ack"}"#.to_owned()))
            }
            ClientMessage::Ping { payload } => Ok(Some(
                serde_json::json!({ "type": "pong", "payload": payload }).to_string(),
            )),
            ClientMessage::Pong {} => Ok(None),
            ClientMessage::Complete { id } => {
                if let Some(task) = self.active.remove(&id) {
                    task.abort();
                }
                Ok(None)
            }
            ClientMessage::Subscribe { id, payload } => {
                let Some(auth) = self.auth else {
                    return Err(Close(4401, "Unauthorized"));
                };
                self.active.retain(|_, task| !task.is_finished());
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
                    return Ok(Some(error_message(&id, vec![error])));
                }
                if let Err(e) = self
                    .state
                    .limits
                    .check_request(self.addr.0, auth.person().map(|p| p.0))
                    .await
                {
                    return Ok(Some(error_message(
                        &id,
                        vec![cortege_graphql::error::server_error(e)],
                    )));
                }
                let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
                let request = prepare_request(*payload, &self.state, auth, self.addr)
                    .data(SubscribeReady::new(ready_tx));
                let task = tokio::spawn(forward(
                    self.schema.clone(),
                    request,
                    id.clone(),
                    events.clone(),
                ));
                self.active.insert(id, task);
                // The next message is handled once this one listens (or
                // has failed, or ran a plain query to its end).
                tokio::time::timeout(READY_WAIT, ready_rx).await.ok();
                Ok(None)
            }
        }
    }

    async fn authenticate(&mut self, token: Option<String>) -> Result<Auth, Close> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Ok(Auth::Anonymous);
        };
        let refused = Close(4403, "Forbidden");
        if token.len() > 128 {
            return Err(refused);
        }
        let hash = auth::hash_token(&token);
        match cortege_db::sessions::lookup(&self.state.pool, &hash).await {
            Ok(Some(s)) => {
                self.token_hash = Some(hash);
                Ok(Auth::Session {
                    person: s.person(),
                    session: s.session_id(),
                })
            }
            Ok(None) => Err(refused),
            Err(e) => {
                tracing::error!(error = %e, "WebSocket: looking up a session failed");
                Err(Close(4500, "Internal error"))
            }
        }
    }
}

fn error_message(id: &str, errors: Vec<ServerError>) -> String {
    serde_json::json!({ "id": id, "type": "error", "payload": errors }).to_string()
}

/// Runs one operation and queues its results for the socket. An operation
/// refused before it produced anything (invalid document, a resolver's
/// refusal at subscribe time) is an `error`; otherwise `next`s, then
/// `complete`.
async fn forward(schema: CortegeSchema, request: Request, id: String, events: mpsc::Sender<Event>) {
    let _live = LiveSubscription::new();
    let mut responses = schema.execute_stream(request);
    let mut first = true;
    while let Some(response) = responses.next().await {
        let refused = first && response.data == async_graphql::Value::Null && response.is_err();
        let text = if refused {
            error_message(&id, response.errors)
        } else {
            next_message(&id, &response)
        };
        if events.try_send(Event::Send(text)).is_err() {
            // Full: the client is not reading. Tell the connection, which
            // closes it; its queue may be full for this too, so wait.
            events.send(Event::Overflow).await.ok();
            return;
        }
        if refused {
            events.send(Event::Done(id)).await.ok();
            return;
        }
        first = false;
    }
    let complete = serde_json::json!({ "id": id, "type": "complete" }).to_string();
    if events.try_send(Event::Send(complete)).is_err() {
        events.send(Event::Overflow).await.ok();
        return;
    }
    events.send(Event::Done(id)).await.ok();
}

fn next_message(id: &str, response: &GqlResponse) -> String {
    serde_json::json!({ "id": id, "type": "next", "payload": response }).to_string()
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

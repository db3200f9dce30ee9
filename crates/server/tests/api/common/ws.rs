//! A graphql-transport-ws client over a real WebSocket, for tests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::TestApp;

/// How long a test waits for a message it expects.
const WAIT: Duration = Duration::from_secs(15);

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Messages read while waiting for something else.
    pending: std::collections::VecDeque<Value>,
}

/// Opens a socket (no connection_init yet); Err is the refused handshake.
pub async fn open(app: &TestApp, headers: &[(&str, &str)]) -> Result<WsClient, WsError> {
    open_url(&app.base, headers).await
}

/// Opens a socket to the server at `base` (http://host:port).
pub async fn open_url(base: &str, headers: &[(&str, &str)]) -> Result<WsClient, WsError> {
    let url = format!("{}/graphql", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    for (name, value) in headers {
        request.headers_mut().insert(
            tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let (socket, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(WsClient {
        socket,
        pending: Default::default(),
    })
}

impl WsClient {
    /// Opens and initialises a socket, with a session token or anonymous.
    pub async fn connect(app: &TestApp, token: Option<&str>) -> Self {
        Self::connect_to(&app.base, token).await
    }

    /// Opens and initialises a socket to the server at `base`.
    pub async fn connect_to(base: &str, token: Option<&str>) -> Self {
        let mut c = open_url(base, &[]).await.expect("handshake");
        let payload = match token {
            Some(t) => json!({ "token": t }),
            None => json!({}),
        };
        c.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = c.next_message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        c
    }

    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send");
    }

    /// Subscribes and returns once the server listens: the server handles
    /// a socket's messages in order, and a subscription's before the next,
    /// so the pong answering the ping sent after it is the proof.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        }))
        .await;
        self.send(json!({ "type": "ping", "payload": { "sync": id } }))
            .await;
        loop {
            let m = self.read().await;
            if m["type"] == "pong" && m["payload"]["sync"] == id {
                return;
            }
            self.pending.push_back(m);
        }
    }

    /// The next protocol message (server pings are answered and skipped).
    pub async fn next_message(&mut self) -> Value {
        if let Some(m) = self.pending.pop_front() {
            return m;
        }
        self.read().await
    }

    async fn read(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a message in time")
                .expect("the socket is open")
                .expect("a frame");
            match frame {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("JSON message");
                    if v["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return v;
                }
                Message::Close(c) => panic!("closed unexpectedly: {c:?}"),
                _ => {}
            }
        }
    }

    /// The payload of the next `next` message for subscription `id`.
    pub async fn next_data(&mut self, id: &str) -> Value {
        let m = self.next_message().await;
        assert_eq!(m["id"], id, "{m}");
        assert_eq!(m["type"], "next", "{m}");
        assert!(m["payload"]["errors"].is_null(), "{m}");
        m["payload"]["data"].clone()
    }

    /// Nothing arrives within `quiet` (a push that must not happen).
    pub async fn assert_silent(&mut self, quiet: Duration) {
        loop {
            match tokio::time::timeout(quiet, self.socket.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    assert_eq!(v["type"], "ping", "unexpected message: {v}");
                }
                Ok(Some(Ok(Message::Close(c)))) => panic!("closed unexpectedly: {c:?}"),
                Ok(other) => panic!("unexpected: {other:?}"),
            }
        }
    }

    /// Waits for the server to close the socket; returns the close code.
    pub async fn close_code(&mut self) -> u16 {
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a close in time");
            match frame {
                Some(Ok(Message::Close(Some(c)))) => return u16::from(c.code),
                Some(Ok(Message::Close(None))) | None => return u16::from(CloseCode::Status),
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("socket error before close: {e}"),
            }
        }
    }
}

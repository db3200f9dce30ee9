//! The graphql-transport-ws messages as this server reads and writes them.
//!
//! Close codes, and what the graphql-ws client (v6, `shouldRetryConnectOrThrow`)
//! does with each. A transient problem on our side never closes with a code
//! the client treats as fatal (4500, 4400, 4401, 4409, 4429, 4406, 4004,
//! 4005, and 1002-1011 but for 1005/1006): it would stop retrying for good.
//!
//! | code | when | client |
//! |---|---|---|
//! | 1001 | the server is shutting down | retries |
//! | 1013 | the client reads too slowly; the database is out of reach while authenticating | retries |
//! | 4403 | invalid token, revoked session (logout, ban) | retries, and the web client signs out |
//! | 4408 | no connection_init in time | retries |
//! | 4400 | unreadable message (a client bug) | gives up |
//! | 4401 | subscribe before the connection is acknowledged (a client bug) | gives up |
//! | 4409 | duplicate subscription id (a client bug) | gives up |
//! | 4429 | second connection_init (a client bug) | gives up |
//!

use std::time::Duration;

use async_graphql::{Request, Response as GqlResponse, ServerError};
use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ClientMessage {
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
pub(super) struct Close(pub(super) u16, pub(super) &'static str);

pub(super) fn error_message(id: &str, errors: Vec<ServerError>) -> String {
    serde_json::json!({ "id": id, "type": "error", "payload": errors }).to_string()
}

/// Sends one message, or the reason to close: the client is gone, or it
/// has not taken the message in time.
pub(super) async fn send(
    sink: &mut SplitSink<WebSocket, WsMessage>,
    text: String,
    timeout: Duration,
) -> Result<(), Option<Close>> {
    match tokio::time::timeout(timeout, sink.send(WsMessage::text(text))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(None),
        Err(_) => Err(Some(Close(
            1013,
            "too slow: reconnect and resume from your cursor",
        ))),
    }
}

pub(super) fn next_message(id: &str, response: &GqlResponse) -> String {
    serde_json::json!({ "id": id, "type": "next", "payload": response }).to_string()
}

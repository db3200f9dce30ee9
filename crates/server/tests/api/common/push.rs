//! A push service on loopback (RFC 8030): it holds each device's keys,
//! decrypts what it receives with them (the ece crate), answers with the
//! status set per device, and can hold answers back to leave pushes in
//! flight (for killing a sender mid-send).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Mutex<ReceiverState>>,
    /// Open (true) unless answers are held back.
    gate: tokio::sync::watch::Sender<bool>,
}

#[derive(Default)]
struct ReceiverState {
    keys: HashMap<String, (ece::EcKeyComponents, [u8; 16])>,
    status: HashMap<String, u16>,
    /// Every push that arrived, decrypted, in order of arrival.
    received: Vec<(String, Value)>,
    /// Pushes answered so far.
    answered: usize,
    /// Once this many are answered, hold every further answer.
    hold_after: Option<usize>,
    /// Devices whose push arrived while answers were held.
    held: Vec<String>,
}

impl Receiver {
    /// The receiver and its base URL.
    pub async fn start() -> (Self, String) {
        let (gate, _) = tokio::sync::watch::channel(true);
        let receiver = Receiver {
            inner: Arc::default(),
            gate,
        };
        let app = axum::Router::new()
            .route("/push/{device}", axum::routing::post(push))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, base)
    }

    /// A new device: its subscription input (endpoint, p256dh, auth).
    pub fn device(&self, base: &str, name: &str) -> Value {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        let public = pair.pub_as_raw().unwrap();
        self.inner
            .lock()
            .unwrap()
            .keys
            .insert(name.to_owned(), (pair.raw_components().unwrap(), auth));
        json!({
            "endpoint": format!("{base}/push/{name}"),
            "p256dh": URL_SAFE_NO_PAD.encode(public),
            "auth": URL_SAFE_NO_PAD.encode(auth),
        })
    }

    /// Answer `device`'s pushes with `status` from now on.
    pub fn answer(&self, device: &str, status: u16) {
        self.inner
            .lock()
            .unwrap()
            .status
            .insert(device.to_owned(), status);
    }

    /// Answer the next `n` pushes, then hold every answer until
    /// [`Receiver::release`].
    pub fn hold_after(&self, n: usize) {
        let mut s = self.inner.lock().unwrap();
        s.hold_after = Some(s.answered + n);
        self.gate.send_replace(false);
    }

    /// Answer the held pushes and every one after.
    pub fn release(&self) {
        self.inner.lock().unwrap().hold_after = None;
        self.gate.send_replace(true);
    }

    /// Devices whose push is waiting for its answer.
    pub fn held(&self) -> Vec<String> {
        self.inner.lock().unwrap().held.clone()
    }

    pub fn answered(&self) -> usize {
        self.inner.lock().unwrap().answered
    }

    pub fn received(&self, device: &str) -> Vec<Value> {
        let s = self.inner.lock().unwrap();
        s.received
            .iter()
            .filter(|(d, _)| d == device)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// How many pushes each device received.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for (device, _) in &self.inner.lock().unwrap().received {
            *counts.entry(device.clone()).or_default() += 1;
        }
        counts
    }

    pub async fn wait_for(&self, device: &str, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received(device);
            if got.len() >= count {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{device} got {} pushes, not {count}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn push(
    State(r): State<Receiver>,
    Path(device): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    assert_eq!(headers["content-encoding"], "aes128gcm");
    assert!(
        headers["authorization"]
            .to_str()
            .unwrap()
            .starts_with("vapid t=")
    );
    assert!(headers.contains_key("ttl"));
    let (status, hold) = {
        let mut s = r.inner.lock().unwrap();
        let status = s.status.get(&device).copied().unwrap_or(201);
        if status == 201 {
            let (keys, auth) = s.keys.get(&device).expect("a known device");
            let plain = ece::decrypt(keys, auth, &body).expect("decrypts with the device's keys");
            s.received
                .push((device.clone(), serde_json::from_slice(&plain).unwrap()));
        }
        let hold = s.hold_after.is_some_and(|n| s.answered >= n);
        if hold {
            s.held.push(device);
        } else {
            s.answered += 1;
        }
        (status, hold)
    };
    if hold {
        let mut gate = r.gate.subscribe();
        gate.wait_for(|open| *open).await.ok();
    }
    StatusCode::from_u16(status).unwrap()
}

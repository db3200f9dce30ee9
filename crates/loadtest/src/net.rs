//! Many sockets from one machine: source addresses, file limits, and
//! errors that say which of the two ran out.

use anyhow::{Context, bail};

/// What one subscriber's ephemeral ports allow per source address, with a
/// margin below Linux's default range (32768–60999).
pub const SOCKETS_PER_SOURCE: usize = 20_000;

/// The TCP connection to `server`, from `source` when given: binding the
/// source address before connecting is what lets sockets beyond one
/// address's ephemeral ports exist.
pub async fn tcp(
    server: &str,
    source: Option<std::net::IpAddr>,
) -> anyhow::Result<tokio::net::TcpStream> {
    let authority = server
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .context("a server URL is scheme://host:port")?;
    let addr = tokio::net::lookup_host(authority)
        .await?
        .next()
        .with_context(|| format!("{authority} resolves to no address"))?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(|e| anyhow::anyhow!("opening a socket: {e}{}", hint(&e)))?;
    if let Some(ip) = source {
        socket
            .bind(std::net::SocketAddr::new(ip, 0))
            .with_context(|| format!("binding the source address {ip}"))?;
    }
    socket
        .connect(addr)
        .await
        .map_err(|e| anyhow::anyhow!("connecting to {addr}: {e}{}", hint(&e)))
}

/// What to do about a socket error the load itself causes.
pub fn hint(e: &std::io::Error) -> &'static str {
    match e.raw_os_error() {
        // EADDRNOTAVAIL: no ephemeral port left on this source address.
        Some(99) => " (out of local ports: raise --source-addresses)",
        // EMFILE: this process's file limit.
        Some(24) => " (out of file descriptors: raise `ulimit -n`, or run several cortege-load)",
        _ => "",
    }
}

/// Refuses a run this process cannot hold: each subscriber is a socket,
/// and past the file limit the run would fail by the thousand.
pub fn check_file_limit(subscribers: usize) -> anyhow::Result<()> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    // Sockets for the subscribers, the event creators, the database and
    // the runtime.
    let needed = subscribers as u64 + 256;
    if soft < needed && hard >= needed {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    } else if hard < needed {
        bail!(
            "{subscribers} subscribers need about {needed} open files, and this process may open \
             {hard} at most (ulimit -Hn): run several cortege-load with fewer subscribers each"
        );
    }
    Ok(())
}

/// The loopback source address of subscriber `k`, when the servers are
/// on loopback.
pub fn source_for(k: usize, servers: &[String], sources: u8) -> Option<std::net::IpAddr> {
    let loopback = servers.iter().all(|s| s.contains("://127."));
    (loopback && sources > 1).then(|| {
        std::net::IpAddr::V4(std::net::Ipv4Addr::new(
            127,
            0,
            0,
            1 + (k % usize::from(sources)) as u8,
        ))
    })
}

/// A client WebSocket to a server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `server`'s GraphQL WebSocket (graphql-transport-ws), from
/// `source` when given, with small buffers (thousands of them share one
/// process), and sends `connection_init` with `payload`.
pub async fn connect(
    server: &str,
    source: Option<std::net::IpAddr>,
    payload: Option<serde_json::Value>,
) -> anyhow::Result<Socket> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
    let url = format!("{}/graphql", server.replacen("http", "ws", 1));
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let stream = tcp(server, source).await?;
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(
        request,
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
        Some(config),
    )
    .await?;
    let init = match payload {
        Some(payload) => serde_json::json!({ "type": "connection_init", "payload": payload }),
        None => serde_json::json!({ "type": "connection_init" }),
    };
    ws.send(Message::text(init.to_string())).await?;
    Ok(ws)
}

/// Sends one graphql-transport-ws `subscribe` per `(id, query, variables)`,
/// then a ping, and returns at its pong: the server handles a socket's
/// messages in order, so by then it has taken every subscription (none
/// with no subscriptions: the socket is initialised). Pushes and the
/// server's own pings meanwhile are skipped; a refused or ended
/// subscription is an error.
pub async fn subscribe(
    ws: &mut Socket,
    subscriptions: &[(&str, &str, serde_json::Value)],
) -> anyhow::Result<()> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    for (id, query, variables) in subscriptions {
        let message = serde_json::json!({
            "id": id, "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        });
        ws.send(Message::text(message.to_string())).await?;
    }
    ws.send(Message::text(r#"{"type":"ping","payload":{"sync":1}}"#))
        .await?;
    while let Some(frame) = ws.next().await {
        if let Message::Text(t) = frame? {
            let v: serde_json::Value = serde_json::from_str(t.as_str())?;
            match v["type"].as_str() {
                Some("pong") => return Ok(()),
                Some("error") | Some("complete") => bail!("subscription refused: {v}"),
                _ => {}
            }
        }
    }
    bail!("closed while subscribing")
}

/// How many loopback source addresses `subscribers` sockets need.
pub fn sources_needed(subscribers: usize) -> u8 {
    u8::try_from(subscribers.div_ceil(SOCKETS_PER_SOURCE).max(1)).unwrap_or(u8::MAX)
}

/// What connecting a run's subscribers gave: the sockets held, by
/// subscriber number in order, and how many failed for each reason.
pub struct Connected {
    pub sockets: Vec<(usize, Socket)>,
    pub failures: std::collections::BTreeMap<String, usize>,
}

/// Opens subscribers `0..count` with `open`, 200 at a time, each within
/// `timeout`. Prints progress every 5 s while connecting (a large run takes
/// minutes, and silence would read as a hang), then each failure's reason
/// with its count, after `label`.
pub async fn connect_all<F, Fut>(
    count: usize,
    timeout: std::time::Duration,
    label: &str,
    open: F,
) -> anyhow::Result<Connected>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Socket>> + Send + 'static,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let gate = Arc::new(tokio::sync::Semaphore::new(200));
    let done = Arc::new(AtomicUsize::new(0));
    let mut connecting = Vec::with_capacity(count);
    for k in 0..count {
        let (gate, done, opening) = (gate.clone(), done.clone(), open(k));
        connecting.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.ok();
            let result = tokio::time::timeout(timeout, opening)
                .await
                .unwrap_or_else(|_| {
                    Err(anyhow::anyhow!(
                        "no answer within {}s (the server's accept queue full, or its file limit reached?)",
                        timeout.as_secs()
                    ))
                });
            done.fetch_add(1, Ordering::Relaxed);
            result
        }));
    }
    let progress = {
        let (done, label) = (done.clone(), label.to_owned());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
            tick.tick().await;
            loop {
                tick.tick().await;
                let answered = done.load(Ordering::Relaxed);
                eprintln!("{label}connecting: {answered}/{count} answered");
            }
        })
    };
    let mut connected = Connected {
        sockets: Vec::with_capacity(count),
        failures: Default::default(),
    };
    for (k, c) in connecting.into_iter().enumerate() {
        match c.await? {
            Ok(ws) => connected.sockets.push((k, ws)),
            Err(e) => *connected.failures.entry(format!("{e:#}")).or_default() += 1,
        }
    }
    progress.abort();
    for (reason, n) in &connected.failures {
        eprintln!("{label}{n} subscribers failed: {reason}");
    }
    Ok(connected)
}

//! Who is asking, as the transport tells it: the session token a request
//! or a WebSocket handshake presents, and the client's address (for
//! per-address limits). Shared by HTTP and WebSocket.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, header};
use cortege_graphql::auth::SESSION_COOKIE;

/// The client's address: the socket peer, or, when the peer is a trusted
/// proxy, the right-most X-Forwarded-For entry that is not one.
pub fn client_addr(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.ip().to_canonical();
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

/// Where the token came from matters: a stale cookie is cleared in the
/// answer, so the browser recovers on its own.
pub enum Presented {
    None,
    Bearer(String),
    Cookie(String),
}

impl Presented {
    pub fn token(self) -> Option<String> {
        match self {
            Presented::None => None,
            Presented::Bearer(t) | Presented::Cookie(t) => Some(t),
        }
    }
}

/// The session token a request presents: an Authorization header, else the
/// session cookie.
pub fn presented_token(headers: &HeaderMap) -> Presented {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or("");
        return Presented::Bearer(token.trim().to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map_or(Presented::None, |(_, token)| {
            Presented::Cookie(token.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_trusted_only_from_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let from_proxy = SocketAddr::new(proxy, 4000);
        let direct = SocketAddr::new("192.0.2.1".parse().unwrap(), 4000);
        assert_eq!(client_addr(direct, &headers, &[proxy]), direct.ip());
        assert_eq!(
            client_addr(from_proxy, &headers, &[proxy]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_addr(from_proxy, &HeaderMap::new(), &[proxy]), proxy);
    }
}

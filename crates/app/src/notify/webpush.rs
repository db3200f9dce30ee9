//! Web Push (RFC 8030), encrypted with aes128gcm (RFC 8291) and signed
//! with the deployment's VAPID key (RFC 8292), by the web-push crate; the
//! HTTP request goes out through reqwest.
//!
//! A push endpoint is a URL a member hands the server, which the server
//! then calls: without care, a way to make it call the movement's own
//! private network. So an endpoint must be https and resolve only to
//! public addresses, checked when it is registered and again at every
//! connection (the client's resolver refuses private addresses, so a DNS
//! answer changed since registration gains nothing; redirects are not
//! followed). `CORTEGE_PUSH_ALLOW_PRIVATE=true` lifts this, for tests.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use url::Url;
use web_push::{
    ContentEncoding, SubscriptionInfo, Urgency, VapidSignature, VapidSignatureBuilder,
    WebPushMessageBuilder,
};

/// How long a push service keeps a message for an offline device.
const TTL_SECONDS: u32 = 24 * 3600;
/// A VAPID signature names the push service and expires in 12 hours (the
/// web-push crate's default): one per service is reused for an hour, which
/// spares an ECDSA signature per push (most of a push's CPU).
const SIGNATURE_REUSE: Duration = Duration::from_secs(3600);

/// What the service worker shows.
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    pub url: String,
    /// Notifications with the same tag replace each other on the device.
    pub tag: String,
}

/// Why an endpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the endpoint must be an https URL")]
    NotHttps,
    #[error("the endpoint's host does not resolve")]
    Unresolved,
    #[error(
        "the endpoint must be on the public Internet, not a private, loopback, link-local or multicast address"
    )]
    Private,
}

/// Whether the server may call this address: not loopback, private,
/// link-local, multicast, shared, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0xdb8))
        }
    }
}

/// Checks an endpoint before it is stored or called.
pub async fn check_endpoint(endpoint: &str, allow_private: bool) -> Result<Url, Refused> {
    let url = Url::parse(endpoint).map_err(|_| Refused::NotHttps)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(Refused::NotHttps),
    }
    if allow_private {
        return Ok(url);
    }
    let host = url.host_str().ok_or(Refused::NotHttps)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = match host.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused::Unresolved)?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refused::Unresolved);
    }
    if addrs.iter().all(|a| is_public(a.ip())) {
        Ok(url)
    } else {
        Err(Refused::Private)
    }
}

/// A resolver that answers only public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(std::io::Error::other(Refused::Private))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// What became of one push.
#[derive(Debug)]
pub enum Outcome {
    Delivered,
    /// The subscription is gone (404, 410): forget it.
    Gone,
    /// Try again later.
    Failed(String),
    /// It will never work (a damaged key, a refused endpoint).
    Rejected(String),
}

/// Sends pushes, with one connection pool for all.
#[derive(Clone)]
pub struct Pusher {
    http: reqwest::Client,
    vapid_private: Arc<str>,
    allow_private: bool,
    /// The `sub` claim push services may write to about problems.
    contact: Arc<str>,
    /// Signatures by push service origin, and when each was made.
    signatures: Arc<Mutex<HashMap<String, (VapidSignature, Instant)>>>,
}

impl Pusher {
    pub fn new(vapid_private: &str, contact: &str, allow_private: bool) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .pool_max_idle_per_host(64);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            http: builder.build().map_err(|e| format!("push client: {e}"))?,
            vapid_private: vapid_private.into(),
            allow_private,
            contact: contact.into(),
            signatures: Arc::default(),
        })
    }

    /// The VAPID signature for the push service of `info`'s endpoint.
    fn signature(&self, info: &SubscriptionInfo) -> Result<VapidSignature, web_push::WebPushError> {
        let origin = Url::parse(&info.endpoint)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let mut cache = self
            .signatures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((signature, made)) = cache.get(&origin)
            && made.elapsed() < SIGNATURE_REUSE
        {
            return Ok(signature.clone());
        }
        let mut builder = VapidSignatureBuilder::from_base64(&self.vapid_private, info)?;
        builder.add_claim("sub", &*self.contact);
        let signature = builder.build()?;
        cache.insert(origin, (signature.clone(), Instant::now()));
        Ok(signature)
    }

    pub async fn send(
        &self,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        payload: &Payload,
    ) -> Outcome {
        if let Err(e) = check_literal(endpoint, self.allow_private) {
            return Outcome::Rejected(e.to_string());
        }
        let info = SubscriptionInfo::new(endpoint, p256dh, auth);
        let body = match serde_json::to_vec(payload) {
            Ok(b) => b,
            Err(e) => return Outcome::Rejected(e.to_string()),
        };
        let message = (|| {
            let mut builder = WebPushMessageBuilder::new(&info);
            builder.set_payload(ContentEncoding::Aes128Gcm, &body);
            builder.set_ttl(TTL_SECONDS);
            builder.set_urgency(Urgency::Normal);
            builder.set_vapid_signature(self.signature(&info)?);
            builder.build()
        })();
        let message = match message {
            Ok(m) => m,
            Err(e) => return Outcome::Rejected(format!("building the push: {e}")),
        };
        let request = web_push::request_builder::build_request::<Vec<u8>>(message);
        let (parts, body) = request.into_parts();
        let mut call = self.http.post(parts.uri.to_string()).body(body);
        for (name, value) in &parts.headers {
            call = call.header(name.as_str(), value.as_bytes());
        }
        match call.send().await {
            Ok(r) if r.status().is_success() => Outcome::Delivered,
            Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Outcome::Gone,
            Ok(r) if r.status().is_client_error() && r.status().as_u16() != 429 => {
                Outcome::Rejected(format!("push service answered {}", r.status()))
            }
            Ok(r) => Outcome::Failed(format!("push service answered {}", r.status())),
            Err(e) => Outcome::Failed(format!("push service unreachable: {e}")),
        }
    }
}

/// An endpoint written as an IP address skips the resolver: checked here.
fn check_literal(endpoint: &str, allow_private: bool) -> Result<(), Refused> {
    if allow_private {
        return Ok(());
    }
    let url = Url::parse(endpoint).map_err(|_| Refused::NotHttps)?;
    if url.scheme() != "https" {
        return Err(Refused::NotHttps);
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(Refused::Private),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(Refused::Private),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2a00:1450:4007:80c::200e"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn endpoints_must_be_https_and_public() {
        assert_eq!(
            check_endpoint("http://push.example/x", false).await,
            Err(Refused::NotHttps)
        );
        assert_eq!(
            check_endpoint("https://127.0.0.1/x", false).await,
            Err(Refused::Private)
        );
        assert_eq!(
            check_endpoint("https://[::1]:8443/x", false).await,
            Err(Refused::Private)
        );
        assert_eq!(
            check_endpoint("https://localhost/x", false).await,
            Err(Refused::Private)
        );
        assert!(check_endpoint("http://127.0.0.1:9/x", true).await.is_ok());
    }
}

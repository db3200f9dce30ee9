//! What every HTTP response carries: security headers, and caching rules
//! for the web client's files (hashed assets forever, index.html never
//! without asking). Compression is tower-http's, in the router.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The headers set on every response, computed once from the configuration.
#[derive(Debug, Clone)]
pub struct Headers {
    csp: HeaderValue,
    hsts: Option<HeaderValue>,
}

/// Vite names every built asset by its content hash: a new build is a new
/// name, so the old one can be cached for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

impl Headers {
    /// `public_url`: the server's public base URL (HSTS when https);
    /// `tile_url`: the map tile template, whose origin images may come from.
    pub fn new(public_url: &str, tile_url: &str) -> Self {
        let csp = content_security_policy(tile_origin(tile_url).as_deref());
        Self {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            hsts: public_url
                .starts_with("https://")
                .then(|| HeaderValue::from_static("max-age=63072000; includeSubDomains")),
        }
    }

    fn apply(&self, path: &str, headers: &mut HeaderMap) {
        headers.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        // For browsers without CSP frame-ancestors.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        if let Some(hsts) = &self.hsts {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
        if headers.contains_key(header::CACHE_CONTROL) {
            return;
        }
        let html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if path.starts_with("/assets/") && !html {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        } else if html || path == "/sw.js" || path == "/manifest.webmanifest" {
            // index.html names the current assets, and the service worker
            // the files it keeps offline: always revalidated.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
    }
}

/// Scripts from this origin only, never inline; styles may be inline
/// (Leaflet and GraphiQL position elements with style attributes); images
/// from here, `data:`/`blob:` (photo previews) and the tile server.
fn content_security_policy(tiles: Option<&str>) -> String {
    let tiles = tiles.map(|t| format!(" {t}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{tiles}; font-src 'self' data:; connect-src 'self'; \
         worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// `https://{s}.tile.example/{z}/{x}/{y}.png` → `https://*.tile.example`.
fn tile_origin(template: &str) -> Option<String> {
    let template = template.trim();
    let (scheme, rest) = template.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    let host = host.replace("{s}", "*");
    // A template with other placeholders in the host cannot be expressed.
    if host.contains('{') || host.contains(' ') || host.contains(';') {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

pub async fn set_headers(
    State(headers): State<Arc<Headers>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    headers.apply(&path, response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_origins_from_templates() {
        assert_eq!(
            tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.example.org")
        );
        assert_eq!(
            tile_origin("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(tile_origin(""), None);
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(tile_origin("https://a.example; script-src *"), None);
    }

    #[test]
    fn assets_are_immutable_and_pages_revalidated() {
        let h = Headers::new("https://cortege.example", "");
        let mut asset = HeaderMap::new();
        asset.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript"),
        );
        h.apply("/assets/index-3f2a.js", &mut asset);
        assert_eq!(asset[header::CACHE_CONTROL], IMMUTABLE);
        assert!(asset.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let mut page = HeaderMap::new();
        page.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        h.apply("/events/1", &mut page);
        assert_eq!(page[header::CACHE_CONTROL], "no-cache");
        let mut worker = HeaderMap::new();
        h.apply("/sw.js", &mut worker);
        assert_eq!(worker[header::CACHE_CONTROL], "no-cache");
        let csp = page[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"));
        let plain = Headers::new("http://127.0.0.1:8080", "");
        let mut api = HeaderMap::new();
        plain.apply("/graphql", &mut api);
        assert!(!api.contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert!(!api.contains_key(header::CACHE_CONTROL));
    }
}

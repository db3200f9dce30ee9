//! The web client's shareable pages, `/actions/<id>` and `/groupes/<id>`:
//! the client's index.html, with the title and the Open Graph and Twitter
//! meta tags of a public event or group written into its head, so that a
//! link pasted in a messaging app shows a preview. What may be previewed
//! is `cortege_app::previews`' rule; any other id gets the bare page.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use cortege_app::{App, previews};
use cortege_domain::global_id::{self, Kind};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

#[derive(Clone)]
struct Pages {
    app: Arc<App>,
    /// The built client's index.html, read per request (a few kB from the
    /// page cache) so that a new build needs no restart.
    index: PathBuf,
    /// Vite's manifest of the build: which chunk holds which screen.
    manifest: PathBuf,
}

/// The screens a shared page opens, as Vite's manifest names their source.
const EVENT_SCREEN: &str = "src/screens/EventPage.tsx";
const GROUP_SCREEN: &str = "src/screens/Groups.tsx";

/// The two routes, for a router whose web client is built in `web_dir`.
pub fn routes<S>(app: Arc<App>, web_dir: PathBuf) -> axum::Router<S> {
    let pages = Pages {
        app,
        index: web_dir.join("index.html"),
        manifest: web_dir.join(".vite").join("manifest.json"),
    };
    axum::Router::new()
        .route("/actions/{id}", get(event_page))
        .route("/groupes/{id}", get(group_page))
        .with_state(pages)
}

async fn event_page(State(pages): State<Pages>, Path(id): Path<String>) -> Response {
    let preview = match global_id::decode(Kind::Event, &id, "id") {
        Ok(id) => previews::event(&pages.app, id).await,
        Err(_) => Ok(None),
    };
    page(&pages, preview, EVENT_SCREEN).await
}

async fn group_page(State(pages): State<Pages>, Path(id): Path<String>) -> Response {
    let preview = match global_id::decode(Kind::Group, &id, "id") {
        Ok(id) => previews::group(&pages.app, id).await,
        Err(_) => Ok(None),
    };
    page(&pages, preview, GROUP_SCREEN).await
}

/// The page, with the preview's tags when there is one. A failed lookup
/// is logged and served the bare page: a preview is never worth an error
/// page for a member who follows the link.
async fn page(
    pages: &Pages,
    preview: cortege_app::Result<Option<previews::Preview>>,
    screen: &str,
) -> Response {
    let index = match tokio::fs::read_to_string(&pages.index).await {
        Ok(index) => with_preloads(&index, &screen_chunks(&pages.manifest, screen).await),
        Err(e) => {
            tracing::error!(error = %e, path = %pages.index.display(), "web client: index.html unreadable");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let preview = preview.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "link preview: lookup failed, page served without it");
        None
    });
    match preview {
        Some(preview) => {
            let icon = format!("{}/icon-512.png", pages.app.public_url);
            Html(with_preview(&index, &preview, &icon)).into_response()
        }
        None => Html(index).into_response(),
    }
}

/// The files of `screen`'s chunk and of the chunks it imports, from Vite's
/// manifest; none when there is no manifest (a development server).
async fn screen_chunks(manifest: &std::path::Path, screen: &str) -> Vec<String> {
    let Ok(text) = tokio::fs::read_to_string(manifest).await else {
        return Vec::new();
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        tracing::warn!(path = %manifest.display(), "web client: unreadable Vite manifest");
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut pending = vec![screen.to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(key) = pending.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(chunk) = manifest.get(&key) else {
            continue;
        };
        if let Some(file) = chunk["file"].as_str() {
            files.push(file.to_owned());
        }
        if let Some(imports) = chunk["imports"].as_array() {
            pending.extend(imports.iter().filter_map(|i| i.as_str().map(str::to_owned)));
        }
    }
    files
}

/// index.html with the screen's chunks preloaded (those index.html does
/// not load already): a shared link's screen downloads with the app's
/// frame instead of after it, a round trip sooner on a phone.
fn with_preloads(index: &str, files: &[String]) -> String {
    let links: String = files
        .iter()
        .filter(|f| f.ends_with(".js") && !index.contains(f.as_str()))
        .map(|f| {
            format!(
                "<link rel=\"modulepreload\" crossorigin href=\"/{}\" />",
                attr(f)
            )
        })
        .collect();
    match index.find("</head>") {
        Some(at) if !links.is_empty() => format!("{}{links}{}", &index[..at], &index[at..]),
        _ => index.to_owned(),
    }
}

/// index.html with its `<title>` replaced and the meta tags added.
fn with_preview(index: &str, preview: &previews::Preview, icon: &str) -> String {
    let title = attr(&preview.title);
    let description = attr(&preview.description);
    let tags = format!(
        "<title>{} · Cortège</title>\n\
         <meta name=\"description\" content=\"{description}\" />\n\
         <meta property=\"og:type\" content=\"website\" />\n\
         <meta property=\"og:site_name\" content=\"Cortège\" />\n\
         <meta property=\"og:locale\" content=\"fr_FR\" />\n\
         <meta property=\"og:title\" content=\"{title}\" />\n\
         <meta property=\"og:description\" content=\"{description}\" />\n\
         <meta property=\"og:url\" content=\"{url}\" />\n\
         <meta property=\"og:image\" content=\"{icon}\" />\n\
         <meta name=\"twitter:card\" content=\"summary\" />\n\
         <meta name=\"twitter:title\" content=\"{title}\" />\n\
         <meta name=\"twitter:description\" content=\"{description}\" />\n\
         <link rel=\"canonical\" href=\"{url}\" />\n",
        text(&preview.title),
        url = attr(&preview.url),
        icon = attr(icon),
    );
    let without_title = match (index.find("<title>"), index.find("</title>")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}", &index[..start], &index[end + "</title>".len()..])
        }
        _ => index.to_owned(),
    };
    match without_title.find("</head>") {
        Some(at) => format!("{}{tags}{}", &without_title[..at], &without_title[at..]),
        None => without_title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_s_chunks_are_preloaded_once_in_the_head() {
        let index =
            r#"<html><head><script src="/assets/main-1.js"></script></head><body></body></html>"#;
        let files = vec![
            "assets/EventPage-2.js".to_owned(),
            "assets/main-1.js".to_owned(),
            "assets/EventPage-2.css".to_owned(),
        ];
        let out = with_preloads(index, &files);
        assert_eq!(out.matches("modulepreload").count(), 1, "{out}");
        assert!(out.contains(
            r#"<link rel="modulepreload" crossorigin href="/assets/EventPage-2.js" /></head>"#
        ));
        assert_eq!(with_preloads(index, &[]), index);
    }

    #[test]
    fn the_tags_replace_the_title_and_escape_what_members_wrote() {
        let index = "<html><head><title>Cortège</title></head><body></body></html>";
        let preview = previews::Preview {
            title: "Tractage \"<script>\" & co".to_owned(),
            description: "samedi. <b>Venez</b>".to_owned(),
            url: "https://c.example/actions/1".to_owned(),
        };
        let out = with_preview(index, &preview, "https://c.example/i.png");
        assert_eq!(out.matches("<title>").count(), 1);
        assert!(out.contains("<title>Tractage \"&lt;script&gt;\" &amp; co · Cortège</title>"));
        assert!(
            out.contains("og:title\" content=\"Tractage &quot;&lt;script&gt;&quot; &amp; co\"")
        );
        assert!(!out.contains("<script>"));
        assert!(!out.contains("<b>"));
        assert!(out.find("og:url").unwrap() < out.find("</head>").unwrap());
    }
}

//! The HTTP side of notifications: calendar files (RFC 5545, with ETag and
//! Cache-Control, since calendar apps poll them) and the unsubscribe links
//! of mails (RFC 8058: a POST from the mail client switches the kind off
//! in one click; a GET shows a page with one button doing the same, so
//! that link scanners that follow every URL switch nothing off).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use cortege_app::notify::{Unsubscribe, calendar, settings};
use cortege_app::{App, Error};
use cortege_graphql::state::SharedState;
use serde::Deserialize;
use uuid::Uuid;

pub fn routes<S: Clone + Send + Sync + 'static>(state: SharedState) -> Router<S> {
    Router::new()
        .route("/calendar/events/{file}", get(event_calendar))
        .route("/calendar/groups/{file}", get(group_calendar))
        .route("/calendar/feed/{file}", get(member_calendar))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .with_state(state)
}

#[derive(Deserialize)]
struct Token {
    token: Option<String>,
}

/// "<uuid>.ics" → the uuid.
fn ics_id(file: &str) -> Option<Uuid> {
    Uuid::parse_str(file.strip_suffix(".ics")?).ok()
}

fn failure(e: &Error) -> Response {
    match e {
        Error::NotFound(_) | Error::Invalid(_) | Error::Forbidden(_) | Error::Unauthenticated => {
            (StatusCode::NOT_FOUND, "not found\n").into_response()
        }
        Error::Unavailable => {
            (StatusCode::SERVICE_UNAVAILABLE, "try again shortly\n").into_response()
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response(),
    }
}

fn ics_response(ics: calendar::Ics, headers: &HeaderMap) -> Response {
    let cache = [
        (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
        (header::ETAG, ics.etag.clone()),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == ics.etag));
    if matches {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(
            header::CONTENT_TYPE,
            "text/calendar; charset=utf-8".to_owned(),
        )],
        ics.body,
    )
        .into_response()
}

async fn reader(
    app: &App,
    token: Option<&str>,
) -> Result<Option<cortege_db::people::Person>, Error> {
    calendar::reader(app, token).await
}

async fn event_calendar(
    State(state): State<SharedState>,
    Path(file): Path<String>,
    Query(q): Query<Token>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = ics_id(&file) else {
        return failure(&Error::not_found("event"));
    };
    let app = &state.app;
    let result = async {
        let who = reader(app, q.token.as_deref()).await?;
        calendar::of_event(app, who.as_ref(), id).await
    }
    .await;
    match result {
        Ok(ics) => ics_response(ics, &headers),
        Err(e) => failure(&e),
    }
}

async fn group_calendar(
    State(state): State<SharedState>,
    Path(file): Path<String>,
    Query(q): Query<Token>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = ics_id(&file) else {
        return failure(&Error::not_found("group"));
    };
    let app = &state.app;
    let result = async {
        let who = reader(app, q.token.as_deref()).await?;
        calendar::of_group(app, who.as_ref(), id).await
    }
    .await;
    match result {
        Ok(ics) => ics_response(ics, &headers),
        Err(e) => failure(&e),
    }
}

async fn member_calendar(
    State(state): State<SharedState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return failure(&Error::not_found("calendar"));
    };
    let app = &state.app;
    let result = async {
        let who = reader(app, Some(token))
            .await?
            .ok_or_else(|| Error::not_found("calendar"))?;
        calendar::of_member(app, &who).await
    }
    .await;
    match result {
        Ok(ics) => ics_response(ics, &headers),
        Err(e) => failure(&e),
    }
}

fn what(u: Unsubscribe) -> &'static str {
    use cortege_domain::ActivityKind::*;
    match u {
        Unsubscribe::Digest => "le résumé des nouvelles actions près de chez vous",
        Unsubscribe::Kind(k) => match k {
            EventCancelled => "les annulations d'actions",
            EventUpdated => "les changements d'actions",
            EventReminder => "les rappels avant vos actions",
            NewAttendee => "les nouvelles participations à vos actions",
            FriendRequest => "les demandes d'ami·e",
            FriendAccepted => "les demandes d'ami·e acceptées",
            FriendGoing => "les participations de vos ami·es",
            EventCreatedInGroup => "les nouvelles actions de vos groupes",
            NewGroupMember => "les nouveaux membres de vos groupes",
            EventCreatedNearby => "les nouvelles actions près de chez vous",
            ModerationWarning => "les avertissements de la modération",
            EventHostAdded => "les actions que l'on vous confie",
            EventHostRemoved => "les actions que vous ne co-organisez plus",
            GroupMemberRemoved => "les retraits d'un groupe",
        },
    }
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title></head><body style=\"font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem\">\
         <h1>{t}</h1>{body}</body></html>",
        t = html_escape::encode_text(title)
    ))
}

async fn unsubscribe_page(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    match state.app.notify.keys.check_unsubscribe(&token) {
        None => (
            StatusCode::NOT_FOUND,
            page(
                "Lien inconnu",
                "<p>Ce lien de désinscription n'est pas valable.</p>",
            ),
        )
            .into_response(),
        Some((_, u)) => page(
            "Se désinscrire",
            &format!(
                "<p>Ne plus recevoir par courriel {} ?</p>\
                 <form method=\"post\"><button type=\"submit\">Me désinscrire</button></form>\
                 <p>Vous pourrez changer d'avis dans les réglages de Cortège.</p>",
                html_escape::encode_text(what(u))
            ),
        )
        .into_response(),
    }
}

async fn unsubscribe(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    match settings::unsubscribe(&state.app, &token).await {
        Ok(u) => page(
            "C'est fait",
            &format!(
                "<p>Vous ne recevrez plus par courriel {}.</p>",
                html_escape::encode_text(what(u))
            ),
        )
        .into_response(),
        Err(Error::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            page(
                "Lien inconnu",
                "<p>Ce lien de désinscription n'est pas valable.</p>",
            ),
        )
            .into_response(),
        Err(e) => failure(&e),
    }
}

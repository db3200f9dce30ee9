//! The hosts' download of an event's attendee list: a signed link that
//! works for a few minutes (`Event.attendeesCsvUrl`), so that a browser
//! can fetch it as a plain file without the session token.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cortege_app::Error;
use cortege_graphql::state::SharedState;
use serde::Deserialize;

pub fn routes<S: Clone + Send + Sync + 'static>(state: SharedState) -> Router<S> {
    Router::new()
        .route("/export/attendees.csv", get(attendees))
        .with_state(state)
}

#[derive(Deserialize)]
struct Token {
    token: Option<String>,
}

async fn attendees(State(state): State<SharedState>, Query(q): Query<Token>) -> Response {
    let Some(token) = q.token else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    match cortege_app::attendance::attendees_csv(&state.app, &token).await {
        Ok((event, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"participants-{}.csv\"",
                        event.simple()
                    ),
                ),
                // Personal data: never kept by a cache on the way.
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(Error::Forbidden(why)) => (StatusCode::FORBIDDEN, format!("{why}\n")).into_response(),
        Err(Error::NotFound(_) | Error::Invalid(_)) => {
            (StatusCode::NOT_FOUND, "not found\n").into_response()
        }
        Err(Error::Unavailable) => {
            (StatusCode::SERVICE_UNAVAILABLE, "try again shortly\n").into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response(),
    }
}

//! The web client's pages as links: what mails, pushes, calendars and
//! link previews point at. The paths are French, as the movement's members
//! read them, and the web client routes the same ones (frontend/src/routes.ts).
//! A page's id is the thing's global ID, the one the API gives it.

use cortege_domain::global_id::{self, Kind};
use uuid::Uuid;

/// An event's page.
pub fn event(public_url: &str, id: Uuid) -> String {
    format!(
        "{public_url}/actions/{}",
        global_id::encode(Kind::Event, id)
    )
}

/// A group's page.
pub fn group(public_url: &str, id: Uuid) -> String {
    format!(
        "{public_url}/groupes/{}",
        global_id::encode(Kind::Group, id)
    )
}

/// The member's friends and friend requests.
pub fn friends(public_url: &str) -> String {
    format!("{public_url}/amis")
}

/// The member's activity feed.
pub fn feed(public_url: &str) -> String {
    format!("{public_url}/fil")
}

/// The home screen: actions near the member.
pub fn home(public_url: &str) -> String {
    format!("{public_url}/")
}

//! Attendance and contacts: the hosts mark who came, attendees check in
//! with the event's code, and the hosts download the attendee list, with
//! the contacts of those who agreed to share them. Windows and codes are
//! `cortege_domain::attendance`'s rules.

use chrono::Utc;
use cortege_db::people::Person;
use cortege_db::rsvps::{self as db_rsvps, AttendeeLine, Rsvp};
use cortege_domain::attendance::{self, check_in_open, marking_open, normalise_code};
use cortege_domain::{PersonId, Role};
use uuid::Uuid;

use crate::rate_limits::Action;
use crate::{App, Error, Result, events, rights};

/// How long a link to the attendee list works: long enough to click it.
pub const LINK_MINUTES: i64 = 10;

/// A host (or an admin) marks whether a party came: GOING or waitlisted
/// ones, from an hour before the start to two weeks after.
pub async fn mark(app: &App, actor: &Person, rsvp: Uuid, attended: bool) -> Result<Rsvp> {
    let current = db_rsvps::by_ids(&app.pool, &[rsvp])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::not_found("RSVP"))?;
    let event = events::editable(app, actor, current.event_id, "mark attendance at").await?;
    if event.cancelled_at.is_some() {
        return Err(Error::Conflict("the event is cancelled".to_owned()));
    }
    if !attendance::may_attend(current.status) {
        return Err(Error::Conflict(
            "this RSVP was cancelled: there is nobody to mark".to_owned(),
        ));
    }
    marking_open(event.starts_at, Utc::now()).map_err(|w| Error::Conflict(w.message(false)))?;
    Ok(db_rsvps::set_attended(&app.pool, rsvp, attended).await?)
}

/// The attendee checks in with the code the hosts show, from an hour
/// before the start to six hours after (or the end).
pub async fn check_in(app: &App, actor: &Person, event_id: Uuid, code: &str) -> Result<Rsvp> {
    rights::require_member(actor)?;
    let event = events::readable(app, Some(actor), event_id).await?;
    app.limits.check(Action::CheckIn, actor.id).await?;
    if event.cancelled_at.is_some() || event.removed_at.is_some() {
        return Err(Error::Conflict("the event is cancelled".to_owned()));
    }
    check_in_open(event.starts_at, event.ends_at, Utc::now())
        .map_err(|w| Error::Conflict(w.message(true)))?;
    if normalise_code(code) != check_in_code(app, event_id) {
        return Err(Error::invalid("code", "this is not the event's code"));
    }
    let mut tx = cortege_db::begin(&app.pool).await?;
    let mine = db_rsvps::of_person_for_event(&mut tx, event_id, PersonId(actor.id))
        .await?
        .ok_or_else(|| Error::NotFound("you have no RSVP to this event: RSVP first".to_owned()))?;
    cortege_db::commit(tx).await?;
    if !attendance::may_attend(mine.status) {
        return Err(Error::Conflict(
            "your RSVP is cancelled: RSVP again first".to_owned(),
        ));
    }
    Ok(db_rsvps::set_attended(&app.pool, mine.id, true).await?)
}

/// The event's check-in code (the caller shows it to hosts only).
pub fn check_in_code(app: &App, event: Uuid) -> String {
    app.notify.keys.check_in_code(event)
}

/// A signed link to the event's attendee list as CSV, for this host,
/// working for [`LINK_MINUTES`] (the caller offers it to hosts only).
pub fn attendees_csv_url(app: &App, host: PersonId, event: Uuid) -> String {
    let expires = (Utc::now() + chrono::Duration::minutes(LINK_MINUTES)).timestamp();
    let token = app.notify.keys.attendees_token(event, host, expires);
    format!("{}/export/attendees.csv?token={token}", app.public_url)
}

/// The attendee list a link gives: refused once expired, or when its host
/// is no longer one. Each download is logged where moderators see it.
pub async fn attendees_csv(app: &App, token: &str) -> Result<(Uuid, String)> {
    let (event_id, host, expires) = app
        .notify
        .keys
        .check_attendees_token(token)
        .ok_or_else(|| Error::not_found("link"))?;
    if expires < Utc::now().timestamp() {
        return Err(Error::forbidden("this link has expired: ask for a new one"));
    }
    let person = cortege_db::people::by_id(&app.pool, host)
        .await?
        .filter(Person::is_active)
        .ok_or_else(|| Error::not_found("link"))?;
    let event = events::by_id(app, event_id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    if !(person.has_role(Role::Admin) || rights::is_event_host(app, &person, &event).await?) {
        return Err(Error::forbidden(
            "only the event's hosts download its attendees",
        ));
    }
    let lines = db_rsvps::attendee_lines(&app.pool, event_id).await?;
    db_rsvps::log_download(&app.pool, host, event_id, lines.len()).await?;
    Ok((event_id, to_csv(&lines)?))
}

/// A text members wrote, as a spreadsheet will not run it: a leading
/// `=`, `+`, `-`, `@` (or tab, carriage return) would make it a formula.
/// A phone number in international form ("+33…") is left as it is.
fn cell(text: Option<&str>) -> String {
    let text = text.unwrap_or_default();
    let phone = text.len() > 1
        && text
            .strip_prefix('+')
            .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit() || c == ' '));
    if !phone && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn to_csv(lines: &[AttendeeLine]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::internal("writing the attendee list", &e);
    w.write_record([
        "first_name",
        "last_name",
        "status",
        "guests",
        "attended",
        "email",
        "phone",
    ])
    .map_err(fail)?;
    for l in lines {
        let attended = match l.attended {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        w.write_record([
            cell(l.first_name.as_deref()),
            cell(l.last_name.as_deref()),
            l.status.as_str().to_owned(),
            l.guests.to_string(),
            attended.to_owned(),
            cell(l.email.as_deref()),
            cell(l.phone.as_deref()),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::internal("writing the attendee list", &e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::internal("writing the attendee list", &e))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn member_texts_never_become_spreadsheet_formulas() {
        assert_eq!(cell(Some("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(cell(Some("@SUM(A1)")), "'@SUM(A1)");
        assert_eq!(cell(Some("+1+1")), "'+1+1");
        assert_eq!(cell(Some("+33612345678")), "+33612345678");
        assert_eq!(cell(Some("Élise")), "Élise");
        assert_eq!(cell(None), "");
    }
}

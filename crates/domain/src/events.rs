//! An event as a member proposes it, checked: what the API parses its
//! input into before the service layer resolves the address and stores it.

use chrono::{DateTime, SubsecRound, Utc};

use crate::seats::MAX_CAPACITY;
use crate::{AddressLines, AddressVisibility, EventKind, GeoPoint, ValidationError, Visibility};

/// An event as stored; `distance_km` is set when it was found by location.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Event {
    pub id: uuid::Uuid,
    pub organiser_id: uuid::Uuid,
    pub group_id: Option<uuid::Uuid>,
    pub kind: EventKind,
    pub visibility: Visibility,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub lat: f64,
    pub lon: f64,
    pub street: Option<String>,
    pub postcode: String,
    pub city: String,
    pub commune_code: String,
    pub capacity: Option<i32>,
    pub seats_taken: i32,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub removed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    // The fields below came with issue 16: defaults let a replica read the
    // bus messages of one not yet upgraded during a rolling deployment.
    /// Who sees the street and the exact location.
    #[serde(default = "public_address")]
    pub address_visibility: AddressVisibility,
    /// Practical details for those coming (door code, floor, whom to
    /// call): the hosts and GOING attendees only.
    #[serde(default)]
    pub instructions: Option<String>,
    /// An online action: the place is its commune's centre, for the
    /// statistics only; near searches skip it unless asked.
    #[serde(default)]
    pub online: bool,
    /// Where to join an online action: hosts and GOING attendees only.
    #[serde(default)]
    pub online_url: Option<String>,
    /// From the search point to [`Event::search_point`].
    pub distance_km: Option<f64>,
}

fn public_address() -> AddressVisibility {
    AddressVisibility::Public
}

impl Event {
    /// Whether the event is announced to members near it as it appears:
    /// listed (PUBLIC) and not removed by moderators.
    pub fn is_announced(&self) -> bool {
        self.visibility.is_listed() && self.removed_at.is_none()
    }

    /// Whether a reader sees the exact place: a PUBLIC address, or one of
    /// its hosts or GOING attendees (`privileged`).
    pub fn shows_exact_place(&self, privileged: bool) -> bool {
        !self.address_visibility.is_private() || privileged
    }

    /// The location a reader is shown: exact, or the centre of its ~1 km
    /// cell ([`GeoPoint::coarse`]).
    pub fn shown_location(&self, exact: bool) -> (f64, f64) {
        match (exact, GeoPoint::parse(self.lat, self.lon)) {
            (false, Ok(p)) => {
                let c = p.coarse();
                (c.lat(), c.lon())
            }
            _ => (self.lat, self.lon),
        }
    }

    /// The location everyone may be shown.
    pub fn public_location(&self) -> (f64, f64) {
        match GeoPoint::parse(self.lat, self.lon) {
            Ok(p) => {
                let p = self.address_visibility.public_point(p);
                (p.lat(), p.lon())
            }
            Err(_) => (self.lat, self.lon),
        }
    }

    /// Where searches by location place the event (stored as its `earth`,
    /// which the near listing orders, filters and measures by): the point
    /// everyone may be shown, so that no distance, order or cursor gives
    /// a private address's exact point away.
    pub fn search_point(location: GeoPoint, visibility: AddressVisibility) -> GeoPoint {
        visibility.public_point(location)
    }

    /// Whether it is announced to members near its place: announced, and
    /// not online (an online action has no place to come to).
    pub fn is_announced_nearby(&self) -> bool {
        self.is_announced() && !self.online
    }

    /// Whether it is cancelled or removed.
    pub fn is_closed(&self) -> bool {
        self.cancelled_at.is_some() || self.removed_at.is_some()
    }

    /// The same action again at `starts_at` (not in the past): every field
    /// copied, the same duration, the same capacity, and none of its
    /// RSVPs. `field` names the new start in errors.
    pub fn copy_at(
        &self,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
        field: &str,
    ) -> Result<EventDraft, ValidationError> {
        check_start(starts_at, now, field)?;
        let starts_at = starts_at.trunc_subsecs(6);
        Ok(EventDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind,
            visibility: self.visibility,
            starts_at,
            ends_at: starts_at + (self.ends_at - self.starts_at),
            location: Some(GeoPoint::parse(self.lat, self.lon)?),
            address: Some(AddressLines {
                street: self.street.clone(),
                postcode: self.postcode.clone(),
                city: self.city.clone(),
            }),
            capacity: self.capacity,
            group: self.group_id,
            address_visibility: self.address_visibility,
            instructions: self.instructions.clone(),
            online: self.online,
            online_url: self.online_url.clone(),
        })
    }
}

/// Longest description accepted.
pub const MAX_DESCRIPTION: usize = 10_000;
/// Longest practical instructions accepted.
pub const MAX_INSTRUCTIONS: usize = 2_000;

/// A new event, every field checked but the address (which needs the
/// commune reference) and the group (which needs its membership).
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub title: String,
    pub description: String,
    pub kind: EventKind,
    pub visibility: Visibility,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// None only for an online action (it then sits at its group's or its
    /// organiser's commune).
    pub location: Option<GeoPoint>,
    pub address: Option<AddressLines>,
    pub capacity: Option<i32>,
    pub group: Option<uuid::Uuid>,
    pub address_visibility: AddressVisibility,
    pub instructions: Option<String>,
    pub online: bool,
    pub online_url: Option<String>,
}

/// Changes to an event; None leaves a field as it is. The schedule is
/// checked against the event as it stands, under its lock.
#[derive(Debug, Clone, Default)]
pub struct EventChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<EventKind>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<GeoPoint>,
    pub address: Option<AddressLines>,
    pub capacity: Option<i32>,
    pub address_visibility: Option<AddressVisibility>,
    /// `Some(None)` clears them.
    pub instructions: Option<Option<String>>,
    /// `Some(None)` clears it; only for an online action.
    pub online_url: Option<Option<String>>,
}

/// PostgreSQL keeps microseconds: compare and store what will be kept, or a
/// check that passes here could fail in the database.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// A capacity: at least 1, at most [`MAX_CAPACITY`].
pub fn check_capacity(capacity: Option<i32>, field: &str) -> Result<(), ValidationError> {
    match capacity {
        Some(c) if !(1..=MAX_CAPACITY).contains(&c) => Err(ValidationError::new(
            field,
            format!("must be between 1 and {MAX_CAPACITY}"),
        )),
        _ => Ok(()),
    }
}

/// A new event's start: not in the past.
pub fn check_start(
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    field: &str,
) -> Result<(), ValidationError> {
    if starts_at < now {
        return Err(ValidationError::new(field, "must not be in the past"));
    }
    Ok(())
}

/// Longest link accepted for an online action.
pub const MAX_URL: usize = 2_000;

/// The link of an online action: an http(s) URL without spaces.
pub fn parse_online_url(raw: &str, field: &str) -> Result<String, ValidationError> {
    let url = raw.trim();
    let scheme_ok = ["https://", "http://"].iter().any(|s| {
        url.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
            && url.len() > s.len()
    });
    if !scheme_ok || url.chars().any(char::is_whitespace) || url.len() > MAX_URL {
        return Err(ValidationError::new(
            field,
            format!("must be an http:// or https:// link of at most {MAX_URL} characters"),
        ));
    }
    Ok(url.to_owned())
}

/// Where an action takes place: in person it needs a location and an
/// address; online it may have neither, and takes no link otherwise.
pub fn check_place(
    online: bool,
    has_location: bool,
    has_address: bool,
    has_url: bool,
) -> Result<(), ValidationError> {
    if !online && !has_location {
        return Err(ValidationError::new(
            "location",
            "is required for an action in person",
        ));
    }
    if !online && !has_address {
        return Err(ValidationError::new(
            "address",
            "is required for an action in person",
        ));
    }
    if !online && has_url {
        return Err(ValidationError::new(
            "onlineUrl",
            "is for online actions (online: true)",
        ));
    }
    Ok(())
}

/// GROUP visibility needs a group.
pub fn check_visibility(
    visibility: Visibility,
    group: Option<uuid::Uuid>,
    field: &str,
) -> Result<(), ValidationError> {
    if visibility == Visibility::Group && group.is_none() {
        return Err(ValidationError::new(
            field,
            "GROUP visibility needs a groupId",
        ));
    }
    Ok(())
}

/// Whether a new capacity may replace the current one: never below the
/// seats taken.
pub fn check_new_capacity(
    new: Option<i32>,
    taken: i32,
    field: &str,
) -> Result<(), ValidationError> {
    match new {
        Some(c) if c < taken => Err(ValidationError::new(
            field,
            format!("must not be below the {taken} seats already taken"),
        )),
        _ => Ok(()),
    }
}

/// Whether a capacity change frees seats for the waitlist.
pub fn capacity_grew(new: Option<i32>, old: Option<i32>) -> bool {
    matches!((new, old), (Some(new), Some(old)) if new > old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_rules() {
        assert!(check_capacity(Some(0), "c").is_err());
        assert!(check_capacity(Some(MAX_CAPACITY + 1), "c").is_err());
        assert!(check_capacity(None, "c").is_ok());
        assert!(check_new_capacity(Some(3), 4, "c").is_err());
        assert!(check_new_capacity(Some(4), 4, "c").is_ok());
        assert!(capacity_grew(Some(5), Some(4)));
        assert!(!capacity_grew(Some(5), None));
    }

    #[test]
    fn bus_messages_of_an_older_replica_still_read() {
        let now = Utc::now();
        let json = serde_json::json!({
            "id": uuid::Uuid::nil(), "organiser_id": uuid::Uuid::nil(), "group_id": null,
            "kind": "LEAFLETING", "visibility": "PUBLIC", "title": "Tractage", "description": "",
            "starts_at": now, "ends_at": now, "lat": 43.3, "lon": 5.4, "street": null,
            "postcode": "13001", "city": "Marseille", "commune_code": "13201", "capacity": null,
            "seats_taken": 0, "cancelled_at": null, "removed_at": null, "created_at": now,
            "distance_km": null,
        });
        let e: Event = serde_json::from_value(json).unwrap();
        assert_eq!(e.address_visibility, AddressVisibility::Public);
        assert!(!e.online && e.online_url.is_none() && e.instructions.is_none());
    }

    #[test]
    fn online_links_are_web_links() {
        assert_eq!(
            parse_online_url(" https://visio.example.org/r/42 ", "u").unwrap(),
            "https://visio.example.org/r/42"
        );
        assert!(parse_online_url("HTTP://x.example", "u").is_ok());
        for bad in [
            "ftp://x.example",
            "javascript:alert(1)",
            "https://",
            "https://a b",
        ] {
            assert!(parse_online_url(bad, "u").is_err(), "{bad}");
        }
    }

    #[test]
    fn in_person_actions_need_a_place_and_no_link() {
        assert!(check_place(true, false, false, true).is_ok());
        assert_eq!(
            check_place(false, false, true, false).unwrap_err().field,
            "location"
        );
        assert_eq!(
            check_place(false, true, false, false).unwrap_err().field,
            "address"
        );
        assert_eq!(
            check_place(false, true, true, true).unwrap_err().field,
            "onlineUrl"
        );
    }

    #[test]
    fn group_visibility_needs_a_group() {
        assert!(check_visibility(Visibility::Group, None, "v").is_err());
        assert!(check_visibility(Visibility::Public, None, "v").is_ok());
    }
}

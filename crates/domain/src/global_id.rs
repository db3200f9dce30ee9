//! Global IDs: opaque strings naming a type and a UUID, the `id` of every
//! GraphQL node and the id in the web client's page links (mails, pushes
//! and calendars link to those pages, hence here rather than in the API
//! layer). Clients never parse them; the server checks the type, so an
//! event's ID passed where a person's is expected is refused rather than
//! looked up.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Person,
    Event,
    Group,
    Rsvp,
    Friendship,
    Report,
    Activity,
    PushSubscription,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Person => "Person",
            Kind::Event => "Event",
            Kind::Group => "Group",
            Kind::Rsvp => "Rsvp",
            Kind::Friendship => "Friendship",
            Kind::Report => "Report",
            Kind::Activity => "Activity",
            Kind::PushSubscription => "PushSubscription",
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        [
            Kind::Person,
            Kind::Event,
            Kind::Group,
            Kind::Rsvp,
            Kind::Friendship,
            Kind::Report,
            Kind::Activity,
            Kind::PushSubscription,
        ]
        .into_iter()
        .find(|k| k.tag() == tag)
    }
}

pub fn encode(kind: Kind, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.tag(), id.simple()))
}

/// Any global ID: its kind and UUID, or None when it is not one of ours.
pub fn decode_any(id: &str) -> Option<(Kind, Uuid)> {
    if id.len() > 128 {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (tag, uuid) = text.split_once(':')?;
    Some((Kind::from_tag(tag)?, Uuid::try_parse(uuid).ok()?))
}

/// The UUID of an ID that must be of `kind`; BAD_USER_INPUT on `field`
/// otherwise.
pub fn decode(kind: Kind, id: &str, field: &str) -> Result<Uuid, ValidationError> {
    match decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        _ => Err(ValidationError::new(
            field,
            format!("is not the ID of a {}", kind.tag()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_type_check() {
        let uuid = Uuid::now_v7();
        let id = encode(Kind::Event, uuid);
        assert_eq!(decode_any(&id), Some((Kind::Event, uuid)));
        assert!(decode(Kind::Person, &id, "personId").is_err());
        assert_eq!(decode(Kind::Event, &id, "id").unwrap(), uuid);
        assert!(decode_any("not an id").is_none());
        assert!(decode_any("").is_none());
    }
}

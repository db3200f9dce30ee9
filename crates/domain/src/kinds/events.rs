//! What an event is, who sees it, and where an RSVP stands.

kind! {
    /// What an event is for. The field actions of a campaign first.
    pub enum EventKind in "event_kind" {
        Leafleting = "LEAFLETING",
        DoorToDoor = "DOOR_TO_DOOR",
        Postering = "POSTERING",
        StreetStall = "STREET_STALL",
        Caravan = "CARAVAN",
        PhoneBank = "PHONE_BANK",
        SignatureGathering = "SIGNATURE_GATHERING",
        GroupMeeting = "GROUP_MEETING",
        PublicMeeting = "PUBLIC_MEETING",
        Rally = "RALLY",
        Training = "TRAINING",
        Carpool = "CARPOOL",
        OnlineMeeting = "ONLINE_MEETING",
        Other = "OTHER",
    }
}

kind! {
    /// Who sees an event.
    pub enum Visibility in "visibility" {
        /// Listed to everyone, anonymous visitors included.
        Public = "PUBLIC",
        /// Listed to members of the organising group only.
        Group = "GROUP",
        /// Reachable by link only; never listed or pushed.
        Unlisted = "UNLISTED",
    }
}

/// What the reader of an event is to it, as far as its visibility cares.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reader {
    /// An active member of the event's group.
    pub group_member: bool,
    /// The event's organiser.
    pub organiser: bool,
    /// A moderator or an admin.
    pub staff: bool,
}

impl Visibility {
    /// Whether events of this visibility appear to strangers: in listings,
    /// search, "nearby" feeds and friends' attendance.
    pub fn is_listed(self) -> bool {
        self == Visibility::Public
    }

    /// Whether `reader` may open an event of this visibility by its id. GROUP
    /// events are for the group (and its organiser and the staff); PUBLIC
    /// and UNLISTED ones for anyone who has the link.
    pub fn is_readable_by(self, reader: Reader) -> bool {
        match self {
            Visibility::Group => reader.group_member || reader.organiser || reader.staff,
            Visibility::Public | Visibility::Unlisted => true,
        }
    }
}

kind! {
    /// Who sees where exactly an event takes place.
    pub enum AddressVisibility in "address_visibility" {
        /// Everyone who sees the event sees its address and location.
        Public = "PUBLIC",
        /// Only its hosts and GOING attendees: everyone else sees the
        /// commune and a location rounded to a grid of about 1 km (a
        /// meeting in someone's flat).
        Attendees = "ATTENDEES",
    }
}

kind! {
    /// Where an RSVP stands.
    pub enum RsvpStatus in "rsvp_status" {
        /// Has seats (1 + guests).
        Going = "GOING",
        /// The party did not fit; promoted in waiting order when seats free up.
        Waitlisted = "WAITLISTED",
        Cancelled = "CANCELLED",
    }
}

impl AddressVisibility {
    /// Whether only hosts and GOING attendees see the street and the
    /// exact point.
    pub fn is_private(self) -> bool {
        self == AddressVisibility::Attendees
    }

    /// The point anyone may be shown, and searches use: exact for a
    /// PUBLIC address, the centre of its ~1 km cell for a private one
    /// ([`crate::GeoPoint::coarse`]).
    pub fn public_point(self, location: crate::GeoPoint) -> crate::GeoPoint {
        if self.is_private() {
            location.coarse()
        } else {
            location
        }
    }
}

impl RsvpStatus {
    /// Whether the party still counts on the event: seated or waiting.
    pub fn holds_place(self) -> bool {
        matches!(self, RsvpStatus::Going | RsvpStatus::Waitlisted)
    }
}

#[cfg(test)]
mod tests {
    use super::{Reader, Visibility};

    /// `access::may_see_event` asks the rule again as it learns each thing
    /// the reader is, and stops at the first yes: that is only right if
    /// learning more never turns a yes into a no.
    #[test]
    fn a_reader_who_is_more_is_never_refused_what_less_was_granted() {
        let readers = (0..8u8).map(|bits| Reader {
            group_member: bits & 1 != 0,
            organiser: bits & 2 != 0,
            staff: bits & 4 != 0,
        });
        for visibility in Visibility::ALL {
            for less in readers.clone() {
                for more in readers.clone() {
                    let covers = (more.group_member || !less.group_member)
                        && (more.organiser || !less.organiser)
                        && (more.staff || !less.staff);
                    if covers && visibility.is_readable_by(less) {
                        assert!(
                            visibility.is_readable_by(more),
                            "{visibility:?} {less:?} {more:?}"
                        );
                    }
                }
            }
        }
    }
}

//! Every enumeration of Cortège, once. Each is also a PostgreSQL enum of
//! the same values (feature `sqlx`) and a GraphQL enum (feature `graphql`),
//! as Lemmy's `DbEnum` behind `full`: the database, the API and the bus
//! cannot disagree on a value, and none is ever a string in between.
//!
//! The rules that belong to a value live with it (`Visibility::is_listed`,
//! `RsvpStatus::holds_place`, …), so the service layer asks rather than
//! compares.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A value that is not one of an enumeration's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// The text of each value (as PostgreSQL, GraphQL and the bus spell it),
/// `ALL`, `Display` and `FromStr`.
macro_rules! named {
    ($name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(s: String) -> Result<Self, UnknownValue> {
                s.parse()
            }
        }
    };
}

/// What a person may do beyond being a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "person_role", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum Role {
    Member,
    Moderator,
    Analyst,
    Admin,
}
named!(Role { Member = "MEMBER", Moderator = "MODERATOR", Analyst = "ANALYST", Admin = "ADMIN" });

impl Role {
    /// A role as an operator types it on the command line (any case).
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().to_ascii_uppercase().parse().ok()
    }

    /// Moderators and admins: who sees what members cannot (attendees,
    /// GROUP events, reports).
    pub const STAFF: &'static [Role] = &[Role::Moderator, Role::Admin];
}

/// What an event is for. The field actions of a campaign first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "event_kind", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum EventKind {
    Leafleting,
    DoorToDoor,
    Postering,
    StreetStall,
    Caravan,
    PhoneBank,
    SignatureGathering,
    GroupMeeting,
    PublicMeeting,
    Rally,
    Training,
    Carpool,
    OnlineMeeting,
    Other,
}
named!(EventKind {
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
});

/// Who sees an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "visibility", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum Visibility {
    /// Listed to everyone, anonymous visitors included.
    Public,
    /// Listed to members of the organising group only.
    Group,
    /// Reachable by link only; never listed or pushed.
    Unlisted,
}
named!(Visibility { Public = "PUBLIC", Group = "GROUP", Unlisted = "UNLISTED" });

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

/// Where an RSVP stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "rsvp_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum RsvpStatus {
    /// Has seats (1 + guests).
    Going,
    /// The party did not fit; promoted in waiting order when seats free up.
    Waitlisted,
    Cancelled,
}
named!(RsvpStatus { Going = "GOING", Waitlisted = "WAITLISTED", Cancelled = "CANCELLED" });

impl RsvpStatus {
    /// Whether the party still counts on the event: seated or waiting.
    pub fn holds_place(self) -> bool {
        matches!(self, RsvpStatus::Going | RsvpStatus::Waitlisted)
    }
}

/// How people join a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "join_policy", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum JoinPolicy {
    /// Anyone joins at once.
    Open,
    /// A manager accepts or refuses each request.
    Approval,
}
named!(JoinPolicy { Open = "OPEN", Approval = "APPROVAL" });

impl JoinPolicy {
    /// Where a new request to join stands under this policy.
    pub fn first_status(self) -> MembershipStatus {
        match self {
            JoinPolicy::Open => MembershipStatus::Active,
            JoinPolicy::Approval => MembershipStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "membership_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum MembershipStatus {
    /// Waiting for a manager's approval.
    Pending,
    Active,
}
named!(MembershipStatus { Pending = "PENDING", Active = "ACTIVE" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "group_role", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum GroupRole {
    Member,
    /// Manages members and organises the group's events.
    Manager,
}
named!(GroupRole { Member = "MEMBER", Manager = "MANAGER" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "friendship_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum FriendshipStatus {
    /// Waiting for the addressee's answer.
    Pending,
    Accepted,
    Declined,
}
named!(FriendshipStatus { Pending = "PENDING", Accepted = "ACCEPTED", Declined = "DECLINED" });

/// What a report is about, as stored (the API's ReportSubject is a union of
/// the objects themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "report_subject", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum SubjectKind {
    Person,
    Event,
    Group,
}
named!(SubjectKind { Person = "PERSON", Event = "EVENT", Group = "GROUP" });

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "report_reason", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ReportReason {
    /// Acting against the movement: the reason the moderation system exists.
    OpposingActivity,
    Spam,
    Harassment,
    Hate,
    Misinformation,
    Privacy,
    Other,
}
named!(ReportReason {
    OpposingActivity = "OPPOSING_ACTIVITY",
    Spam = "SPAM",
    Harassment = "HARASSMENT",
    Hate = "HATE",
    Misinformation = "MISINFORMATION",
    Privacy = "PRIVACY",
    Other = "OTHER",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "report_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ReportStatus {
    Open,
    /// Decided with REMOVE_CONTENT, WARN or BAN.
    Resolved,
    Dismissed,
}
named!(ReportStatus { Open = "OPEN", Resolved = "RESOLVED", Dismissed = "DISMISSED" });

/// A moderator's decision; it applies to every open report on the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "moderation_decision", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ModerationDecision {
    Dismiss,
    /// Hide the reported event or group.
    RemoveContent,
    /// Warn the author.
    Warn,
    /// Ban the author: sessions end, content is hidden, sign-in is refused.
    Ban,
}
named!(ModerationDecision {
    Dismiss = "DISMISS",
    RemoveContent = "REMOVE_CONTENT",
    Warn = "WARN",
    Ban = "BAN",
});

impl ModerationDecision {
    /// Where the reports it decides end up.
    pub fn report_status(self) -> ReportStatus {
        match self {
            ModerationDecision::Dismiss => ReportStatus::Dismissed,
            _ => ReportStatus::Resolved,
        }
    }
}

/// What happened, as recorded in the activity log (`activity_kind`): one
/// row per happening, whoever hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "activity_kind", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum Happening {
    EventCreated,
    EventUpdated,
    EventCancelled,
    RsvpChanged,
    FriendRequest,
    FriendAccepted,
    GroupMemberJoined,
    ModerationWarning,
    ReportCreated,
}
named!(Happening {
    EventCreated = "EVENT_CREATED",
    EventUpdated = "EVENT_UPDATED",
    EventCancelled = "EVENT_CANCELLED",
    RsvpChanged = "RSVP_CHANGED",
    FriendRequest = "FRIEND_REQUEST",
    FriendAccepted = "FRIEND_ACCEPTED",
    GroupMemberJoined = "GROUP_MEMBER_JOINED",
    ModerationWarning = "MODERATION_WARNING",
    ReportCreated = "REPORT_CREATED",
});

/// Why an activity is in the viewer's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum ActivityKind {
    /// A new PUBLIC event within the viewer's action radius of home.
    EventCreatedNearby,
    /// A new event of a group the viewer is an active member of.
    EventCreatedInGroup,
    /// An event the viewer is going to (or waitlisted for) changed.
    EventUpdated,
    /// An event the viewer is going to (or waitlisted for) was cancelled.
    EventCancelled,
    /// Someone is now going to an event the viewer organises.
    NewAttendee,
    /// A friend is going to a PUBLIC event.
    FriendGoing,
    /// Someone asked to be the viewer's friend.
    FriendRequest,
    /// Someone accepted the viewer's friend request.
    FriendAccepted,
    /// Someone joined a group the viewer manages.
    NewGroupMember,
    /// A moderator warned the viewer.
    ModerationWarning,
}
named!(ActivityKind {
    EventCreatedNearby = "EVENT_CREATED_NEARBY",
    EventCreatedInGroup = "EVENT_CREATED_IN_GROUP",
    EventUpdated = "EVENT_UPDATED",
    EventCancelled = "EVENT_CANCELLED",
    NewAttendee = "NEW_ATTENDEE",
    FriendGoing = "FRIEND_GOING",
    FriendRequest = "FRIEND_REQUEST",
    FriendAccepted = "FRIEND_ACCEPTED",
    NewGroupMember = "NEW_GROUP_MEMBER",
    ModerationWarning = "MODERATION_WARNING",
});

/// How activity buckets are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum StatsDimension {
    /// INSEE commune code; a city's arrondissements roll up into the city.
    Commune,
    /// INSEE department code ("13", "2A", "971").
    Department,
    /// INSEE region code.
    Region,
    /// The EventKind value.
    Kind,
    /// "2026-11-23", Europe/Paris time.
    Day,
    /// ISO week "2026-W48", Europe/Paris time.
    Week,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_unknown_ones_are_errors() {
        for k in EventKind::ALL {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(*k));
        }
        for k in ActivityKind::ALL {
            assert_eq!(k.to_string().parse::<ActivityKind>(), Ok(*k));
        }
        let err = "PICNIC".parse::<EventKind>().unwrap_err();
        assert_eq!(err.kind, "EventKind");
        assert_eq!(Role::parse(" moderator "), Some(Role::Moderator));
        assert_eq!(Role::parse("king"), None);
    }

    #[test]
    fn visibility_rules() {
        assert!(Visibility::Public.is_listed());
        assert!(!Visibility::Unlisted.is_listed());
        assert!(!Visibility::Group.is_listed());
        let stranger = Reader::default();
        assert!(Visibility::Unlisted.is_readable_by(stranger));
        assert!(!Visibility::Group.is_readable_by(stranger));
        for reader in [
            Reader {
                group_member: true,
                ..stranger
            },
            Reader {
                organiser: true,
                ..stranger
            },
            Reader {
                staff: true,
                ..stranger
            },
        ] {
            assert!(Visibility::Group.is_readable_by(reader));
        }
    }

    #[test]
    fn statuses_and_decisions() {
        assert!(RsvpStatus::Waitlisted.holds_place());
        assert!(!RsvpStatus::Cancelled.holds_place());
        assert_eq!(
            JoinPolicy::Approval.first_status(),
            MembershipStatus::Pending
        );
        assert_eq!(
            ModerationDecision::Ban.report_status(),
            ReportStatus::Resolved
        );
        assert_eq!(
            ModerationDecision::Dismiss.report_status(),
            ReportStatus::Dismissed
        );
    }
}

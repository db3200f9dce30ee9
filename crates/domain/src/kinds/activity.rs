//! What happened, why it reaches a member, and how statistics are keyed.

use serde::{Deserialize, Serialize};

use super::UnknownValue;

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

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered identifier (UUIDv7), which keeps b-tree
            /// inserts local.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A person (a member's account).
    PersonId,
    /// An event.
    EventId,
    /// A local group.
    GroupId,
    /// An RSVP.
    RsvpId,
    /// A friendship or friend request.
    FriendshipId,
    /// A report.
    ReportId,
    /// An activity (feed item).
    ActivityId,
    /// A session.
    SessionId,
    /// A login code.
    LoginCodeId,
);

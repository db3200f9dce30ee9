//! How members are reached away from the app: by mail and by Web Push,
//! and which activities each channel carries unless the member chose
//! otherwise.

use super::ActivityKind;

kind! {
    /// How often a member gets the summary of new events near home.
    pub enum DigestFrequency in "digest_frequency" {
        /// No digest.
        Never = "NEVER",
        /// Every morning, when there is something new.
        Daily = "DAILY",
        /// Every Monday morning, when there is something new.
        Weekly = "WEEKLY",
    }
}

kind! {
    /// Where a notification goes.
    pub enum DeliveryChannel in "delivery_channel" {
        Email = "EMAIL",
        Push = "PUSH",
    }
}

kind! {
    /// Where a delivery stands.
    pub enum DeliveryState in "delivery_state" {
        /// Not sent yet, or to be tried again at its due time.
        Pending = "PENDING",
        Sent = "SENT",
        /// Given up after too many failed attempts (the dead letters).
        Dead = "DEAD",
        /// Not needed any more by the time it was due (an event cancelled
        /// before its reminder, a digest with nothing new, a member who
        /// left).
        Dropped = "DROPPED",
    }
}

/// Whether a kind of activity goes by mail and by push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub push: bool,
}

impl ActivityKind {
    /// What a member gets without having chosen: what concerns an action
    /// they committed to by mail and push, what wants an answer soon by
    /// push, and new events near home only in the weekly digest, so that
    /// the 30,000 members of a city are not mailed for every leafleting.
    pub fn default_channels(self) -> Channels {
        use ActivityKind::*;
        match self {
            EventUpdated | EventCancelled | EventReminder | EventHostAdded => Channels {
                email: true,
                push: true,
            },
            NewAttendee | FriendRequest | EventHostRemoved => Channels {
                email: false,
                push: true,
            },
            ModerationWarning | GroupMemberRemoved => Channels {
                email: true,
                push: false,
            },
            EventCreatedNearby | EventCreatedInGroup | FriendGoing | FriendAccepted
            | NewGroupMember => Channels {
                email: false,
                push: false,
            },
        }
    }

    /// A moderator's warning always goes by mail: a member cannot say
    /// later they were never told.
    pub fn email_is_mandatory(self) -> bool {
        self == ActivityKind::ModerationWarning
    }

    /// New events near home reach members by the digest only, never one
    /// mail or push each: whatever is stored, this kind is never sent on
    /// its own.
    pub fn is_digest_only(self) -> bool {
        self == ActivityKind::EventCreatedNearby
    }

    /// The channels a member gets, from what they chose (`None`: never
    /// chose) and the kind's rules.
    pub fn channels(self, chosen: Option<Channels>) -> Channels {
        let mut c = chosen.unwrap_or_else(|| self.default_channels());
        if self.email_is_mandatory() {
            c.email = true;
        }
        if self.is_digest_only() {
            c = Channels {
                email: false,
                push: false,
            };
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_is_mailed_whatever_was_chosen() {
        let off = Channels {
            email: false,
            push: false,
        };
        assert!(ActivityKind::ModerationWarning.channels(Some(off)).email);
        assert!(!ActivityKind::EventCancelled.channels(Some(off)).email);
    }

    #[test]
    fn nearby_events_only_go_in_the_digest() {
        let on = Channels {
            email: true,
            push: true,
        };
        assert_eq!(
            ActivityKind::EventCreatedNearby.channels(Some(on)),
            Channels {
                email: false,
                push: false
            }
        );
    }
}

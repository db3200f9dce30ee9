//! What happened, why it reaches a member, and how statistics are keyed.

kind! {
    /// What happened, as recorded in the activity log (`activity_kind`): one
    /// row per happening, whoever hears of it.
    pub enum Happening in "activity_kind" {
        EventCreated = "EVENT_CREATED",
        EventUpdated = "EVENT_UPDATED",
        EventCancelled = "EVENT_CANCELLED",
        RsvpChanged = "RSVP_CHANGED",
        FriendRequest = "FRIEND_REQUEST",
        FriendAccepted = "FRIEND_ACCEPTED",
        GroupMemberJoined = "GROUP_MEMBER_JOINED",
        ModerationWarning = "MODERATION_WARNING",
        ReportCreated = "REPORT_CREATED",
        /// An event starts soon: recorded once per reminder offset, for all
        /// its GOING and WAITLISTED members, or for one who joined late.
        EventReminder = "EVENT_REMINDER",
        /// Someone was made a co-host of an event (told to them).
        EventHostAdded = "EVENT_HOST_ADDED",
        /// Someone is no longer a co-host of an event (told to them).
        EventHostRemoved = "EVENT_HOST_REMOVED",
        /// A group's managers removed a member (told to them).
        GroupMemberRemoved = "GROUP_MEMBER_REMOVED",
    }
}

kind! {
    /// Why an activity is in the viewer's feed.
    pub enum ActivityKind in "notification_kind" {
        /// A new PUBLIC event within the viewer's action radius of home.
        EventCreatedNearby = "EVENT_CREATED_NEARBY",
        /// A new event of a group the viewer is an active member of.
        EventCreatedInGroup = "EVENT_CREATED_IN_GROUP",
        /// An event the viewer is going to (or waitlisted for) changed.
        EventUpdated = "EVENT_UPDATED",
        /// An event the viewer is going to (or waitlisted for) was cancelled.
        EventCancelled = "EVENT_CANCELLED",
        /// Someone is now going to an event the viewer organises or co-hosts.
        NewAttendee = "NEW_ATTENDEE",
        /// A friend is going to a PUBLIC event.
        FriendGoing = "FRIEND_GOING",
        /// Someone asked to be the viewer's friend.
        FriendRequest = "FRIEND_REQUEST",
        /// Someone accepted the viewer's friend request.
        FriendAccepted = "FRIEND_ACCEPTED",
        /// Someone joined a group the viewer manages.
        NewGroupMember = "NEW_GROUP_MEMBER",
        /// A moderator warned the viewer.
        ModerationWarning = "MODERATION_WARNING",
        /// An event the viewer is going to (or waitlisted for) starts soon.
        EventReminder = "EVENT_REMINDER",
        /// The viewer was made a co-host of an event: they now see its
        /// attendees and may change it.
        EventHostAdded = "EVENT_HOST_ADDED",
        /// The viewer is no longer a co-host of an event.
        EventHostRemoved = "EVENT_HOST_REMOVED",
        /// The viewer was removed from a group by its managers.
        GroupMemberRemoved = "GROUP_MEMBER_REMOVED",
    }
}

kind! {
    /// How activity buckets are keyed.
    pub enum StatsDimension {
        /// INSEE commune code; a city's arrondissements roll up into the city.
        Commune = "COMMUNE",
        /// INSEE department code ("13", "2A", "971").
        Department = "DEPARTMENT",
        /// INSEE region code.
        Region = "REGION",
        /// The EventKind value.
        Kind = "KIND",
        /// "2026-11-23", Europe/Paris time.
        Day = "DAY",
        /// ISO week "2026-W48", Europe/Paris time.
        Week = "WEEK",
        /// Calendar month "2026-11", Europe/Paris time.
        Month = "MONTH",
    }
}

impl StatsDimension {
    /// Commune, department or region: a place with a population.
    pub fn is_place(self) -> bool {
        matches!(self, Self::Commune | Self::Department | Self::Region)
    }

    /// Day, week or month: a period of the Europe/Paris calendar.
    pub fn is_period(self) -> bool {
        matches!(self, Self::Day | Self::Week | Self::Month)
    }
}

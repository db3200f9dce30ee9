//! Reports and moderators' decisions.

kind! {
    /// What a report is about, as stored (the API's ReportSubject is a union of
    /// the objects themselves).
    pub enum SubjectKind in "report_subject" {
        Person = "PERSON",
        Event = "EVENT",
        Group = "GROUP",
    }
}

kind! {
    /// Why something is reported.
    pub enum ReportReason in "report_reason" {
        /// Acting against the movement: the reason the moderation system exists.
        OpposingActivity = "OPPOSING_ACTIVITY",
        Spam = "SPAM",
        Harassment = "HARASSMENT",
        Hate = "HATE",
        Misinformation = "MISINFORMATION",
        Privacy = "PRIVACY",
        Other = "OTHER",
    }
}

kind! {
    pub enum ReportStatus in "report_status" {
        Open = "OPEN",
        /// Decided with REMOVE_CONTENT, WARN or BAN.
        Resolved = "RESOLVED",
        Dismissed = "DISMISSED",
    }
}

kind! {
    /// What a line of the moderation log records: the moderators'
    /// decisions, the admins' role changes, and what group managers and
    /// event hosts did that moderators must be able to review.
    pub enum ModerationAction {
        /// A report decided: nothing done.
        Dismiss = "DISMISS",
        /// A report decided: the event or group hidden.
        RemoveContent = "REMOVE_CONTENT",
        /// A report decided: the author warned.
        Warn = "WARN",
        /// A report decided: the author banned.
        Ban = "BAN",
        /// A role given (by an admin, or from the command line).
        GrantRole = "GRANT_ROLE",
        /// A role taken back.
        RevokeRole = "REVOKE_ROLE",
        /// A group manager named or stepped down (details.role).
        SetGroupRole = "SET_GROUP_ROLE",
        /// A group's name, description or join policy changed (details).
        UpdateGroup = "UPDATE_GROUP",
        /// A member removed from a group by its managers.
        RemoveGroupMember = "REMOVE_GROUP_MEMBER",
        /// A host downloaded an event's attendee list (details.rows).
        ExportAttendees = "EXPORT_ATTENDEES",
    }
}

kind! {
    /// A moderator's decision; it applies to every open report on the subject.
    pub enum ModerationDecision in "moderation_decision" {
        Dismiss = "DISMISS",
        /// Hide the reported event or group.
        RemoveContent = "REMOVE_CONTENT",
        /// Warn the author.
        Warn = "WARN",
        /// Ban the author: sessions end, content is hidden, sign-in is refused.
        Ban = "BAN",
    }
}

impl ModerationDecision {
    /// Where the reports it decides end up.
    pub fn report_status(self) -> ReportStatus {
        match self {
            ModerationDecision::Dismiss => ReportStatus::Dismissed,
            _ => ReportStatus::Resolved,
        }
    }
}

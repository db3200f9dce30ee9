//! Groups, memberships and friendships.

kind! {
    /// How people join a group.
    pub enum JoinPolicy in "join_policy" {
        /// Anyone joins at once.
        Open = "OPEN",
        /// A manager accepts or refuses each request.
        Approval = "APPROVAL",
    }
}

impl JoinPolicy {
    /// Where a new request to join stands under this policy.
    pub fn first_status(self) -> MembershipStatus {
        match self {
            JoinPolicy::Open => MembershipStatus::Active,
            JoinPolicy::Approval => MembershipStatus::Pending,
        }
    }
}

kind! {
    pub enum MembershipStatus in "membership_status" {
        /// Waiting for a manager's approval.
        Pending = "PENDING",
        Active = "ACTIVE",
    }
}

impl MembershipStatus {
    /// Whether a membership of this status and role counts: as belonging
    /// to the group (active), or with `as_manager` as managing it.
    pub fn counts(self, role: GroupRole, as_manager: bool) -> bool {
        self == MembershipStatus::Active && (!as_manager || role == GroupRole::Manager)
    }
}

kind! {
    pub enum GroupRole in "group_role" {
        Member = "MEMBER",
        /// Manages members and organises the group's events.
        Manager = "MANAGER",
    }
}

kind! {
    pub enum FriendshipStatus in "friendship_status" {
        /// Waiting for the addressee's answer.
        Pending = "PENDING",
        Accepted = "ACCEPTED",
        Declined = "DECLINED",
    }
}

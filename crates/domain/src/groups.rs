//! A local group as a member proposes it, checked.

use crate::{AddressLines, GeoPoint, JoinPolicy};

/// A new group, every field checked but the address (which needs the
/// commune reference).
#[derive(Debug, Clone)]
pub struct GroupDraft {
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub location: Option<GeoPoint>,
    pub address: Option<AddressLines>,
}

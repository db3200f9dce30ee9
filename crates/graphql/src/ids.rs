//! Relay global IDs as the API's `ID` scalar: the encoding is the domain's
//! (`cortege_domain::global_id`), shared with the web client's page links.

use async_graphql::ID;
use cortege_domain::ValidationError;
use cortege_domain::global_id;
use uuid::Uuid;

pub use global_id::{Kind, decode_any};

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(global_id::encode(kind, id))
}

/// The UUID of an ID that must be of `kind`; BAD_USER_INPUT on `field`
/// otherwise.
pub fn decode(kind: Kind, id: &ID, field: &str) -> Result<Uuid, ValidationError> {
    global_id::decode(kind, id, field)
}

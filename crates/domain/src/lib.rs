//! Cortège's domain: identifiers, validated values, enumerations and the
//! geographic maths they need. No I/O happens here, so everything is
//! testable in isolation.

pub mod address;
pub mod attendance;
pub mod error;
pub mod events;
pub mod geo;
pub mod global_id;
pub mod groups;
pub mod ids;
pub mod kinds;
pub mod outcomes;
pub mod seats;
pub mod stats;
pub mod values;

pub use address::{AddressLines, PostalAddress};
pub use error::ValidationError;
pub use geo::GeoPoint;
pub use ids::*;
pub use kinds::*;
pub use values::*;

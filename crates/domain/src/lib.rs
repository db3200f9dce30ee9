//! Cortège's domain: identifiers, validated values, enumerations and the
//! geographic maths they need. No I/O happens here, so everything is
//! testable in isolation.

pub mod error;
pub mod geo;
pub mod ids;
pub mod values;

pub use error::ValidationError;
pub use geo::GeoPoint;
pub use ids::*;
pub use values::*;

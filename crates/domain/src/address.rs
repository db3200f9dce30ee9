//! Postal addresses: as typed, and as resolved to a commune.

use crate::ValidationError;

/// A French postal address as a member typed it: the postcode and the city
/// must name one commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressLines {
    pub street: Option<String>,
    pub postcode: String,
    pub city: String,
}

/// An address resolved to its commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress {
    pub street: Option<String>,
    pub postcode: String,
    /// The commune's official name.
    pub city: String,
    /// Its INSEE code.
    pub commune_code: String,
}

/// Longest street line accepted.
pub const MAX_STREET_CHARS: usize = 200;

/// A street line: trimmed, None when blank.
pub fn parse_street(raw: Option<&str>, field: &str) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim) {
        Some(s) if s.chars().count() > MAX_STREET_CHARS => Err(ValidationError::new(
            field,
            format!("must be at most {MAX_STREET_CHARS} characters"),
        )),
        Some(s) if !s.is_empty() => Ok(Some(s.to_owned())),
        _ => Ok(None),
    }
}

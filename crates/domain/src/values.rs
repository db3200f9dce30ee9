use crate::ValidationError;

/// A first or last name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str, field: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                field,
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address, normalised: trimmed and lower-cased, since accounts are
/// unique case-insensitively and no provider distinguishes case in practice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str, field: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        let invalid = || ValidationError::new(field, "is not a valid email address");
        if email.len() > Self::MAX_LEN || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(invalid());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A French postcode: five digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str, field: &str) -> Result<Self, ValidationError> {
        let code = raw.trim();
        if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(ValidationError::new(
                field,
                "must be a French postcode of five digits",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How far from home a member wants to hear of actions, in kilometres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionRadiusKm(f64);

impl ActionRadiusKm {
    pub const MAX: f64 = 500.0;
    pub const DEFAULT: f64 = 20.0;

    pub fn parse(km: f64, field: &str) -> Result<Self, ValidationError> {
        if km.is_finite() && km > 0.0 && km <= Self::MAX {
            Ok(Self(km))
        } else {
            Err(ValidationError::new(
                field,
                "must be greater than 0 and at most 500",
            ))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// "Alice M.": the first name, a space, the initial of the last name and a
/// full stop; what strangers and anonymous visitors see of a person.
pub fn display_name(first: &str, last: &str) -> String {
    match last.trim().chars().next() {
        Some(initial) => format!("{} {}.", first.trim(), initial.to_uppercase()),
        None => first.trim().to_owned(),
    }
}

/// A commune or city name reduced for comparison: case, accents, hyphens,
/// apostrophes and "St"/"Ste" against "Saint"/"Sainte" ignored.
pub fn normalize_place_name(raw: &str) -> String {
    let ascii = deunicode::deunicode(raw).to_lowercase();
    let spaced: String = ascii
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    spaced
        .split_whitespace()
        .map(|word| match word {
            "st" => "saint",
            "ste" => "sainte",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The characters a login code is drawn from: A–Z and 2–9 without the look-alikes
/// I, O, 0 and 1, so a code read on a phone is typed right.
pub const LOGIN_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Eight characters of a 32-letter alphabet: 40 bits.
pub const LOGIN_CODE_LEN: usize = 8;

/// A login code as typed: spaces and hyphens dropped, upper-cased. None when
/// it cannot be a code at all.
pub fn normalize_login_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == LOGIN_CODE_LEN && code.bytes().all(|b| LOGIN_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

/// An event's title: trimmed, 3 to 120 characters.
pub fn parse_title(raw: &str, field: &str) -> Result<String, ValidationError> {
    let t = raw.trim();
    let n = t.chars().count();
    if !(3..=120).contains(&n) {
        return Err(ValidationError::new(field, "must be 3 to 120 characters"));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

/// A description: trimmed, at most `max` characters (line breaks allowed).
pub fn parse_text(raw: &str, max: usize, field: &str) -> Result<String, ValidationError> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

/// The longest an event may last.
pub const MAX_EVENT_DAYS: i64 = 7;

/// Checks an event's schedule: it ends after it starts, within seven days.
/// Errors name `ends_field`.
pub fn check_schedule(
    starts: chrono::DateTime<chrono::Utc>,
    ends: chrono::DateTime<chrono::Utc>,
    ends_field: &str,
) -> Result<(), ValidationError> {
    if ends <= starts {
        return Err(ValidationError::new(ends_field, "must be after startsAt"));
    }
    if ends - starts > chrono::Duration::days(MAX_EVENT_DAYS) {
        return Err(ValidationError::new(
            ends_field,
            "must be within 7 days of startsAt",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Alice ", "f").unwrap().as_str(),
            "Alice"
        );
        assert!(PersonName::parse("   ", "f").is_err());
        assert!(PersonName::parse(&"é".repeat(100), "f").is_ok());
        assert_eq!(
            PersonName::parse(&"é".repeat(101), "f").unwrap_err().field,
            "f"
        );
        assert!(PersonName::parse("a\u{0}b", "f").is_err());
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse(" Alice@Example.FR ", "e").unwrap().as_str(),
            "alice@example.fr"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.fr",
            "a b@example.fr",
            "alice@example",
            "a@-x.fr",
            "a@x..fr",
        ] {
            assert!(Email::parse(bad, "e").is_err(), "{bad}");
        }
    }

    #[test]
    fn display_name_uses_the_initial() {
        assert_eq!(display_name("Alice", "martin"), "Alice M.");
        assert_eq!(display_name("Élodie", "Émery"), "Élodie É.");
        assert_eq!(display_name("Zoé", ""), "Zoé");
    }

    #[test]
    fn place_names_compare_loosely() {
        assert_eq!(normalize_place_name("Saint-Étienne"), "saint etienne");
        assert_eq!(normalize_place_name("ST ETIENNE"), "saint etienne");
        assert_eq!(normalize_place_name("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(normalize_place_name("Ste-Maxime"), "sainte maxime");
    }

    #[test]
    fn login_codes_are_normalised() {
        assert_eq!(
            normalize_login_code("abcd-efgh").as_deref(),
            Some("ABCDEFGH")
        );
        assert_eq!(
            normalize_login_code("ABCD EFG2").as_deref(),
            Some("ABCDEFG2")
        );
        assert!(normalize_login_code("ABCDEFG").is_none());
        assert!(normalize_login_code("ABCDEFG0").is_none());
    }

    #[test]
    fn radius_and_postcode_ranges() {
        assert!(ActionRadiusKm::parse(0.0, "r").is_err());
        assert!(ActionRadiusKm::parse(500.0, "r").is_ok());
        assert!(ActionRadiusKm::parse(f64::INFINITY, "r").is_err());
        assert!(Postcode::parse("29000", "p").is_ok());
        assert!(Postcode::parse("2900", "p").is_err());
    }
}

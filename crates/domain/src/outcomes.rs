//! What an action achieved, as its hosts report it: leaflets handed out,
//! doors knocked, and so on, so that the national team can ask "how many
//! doors in Marseille this month?".

use chrono::{DateTime, Duration, Utc};

use crate::ValidationError;

/// Largest count accepted for any figure.
pub const MAX_COUNT: i32 = 1_000_000;
/// Longest notes, in characters.
pub const MAX_NOTES: usize = 2_000;
/// Days after its start during which an action's outcome may be reported.
pub const REPORTING_DAYS: i64 = 14;

/// A report: every figure optional (not every action knocks on doors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct Outcome {
    pub leaflets: Option<i32>,
    pub doors_knocked: Option<i32>,
    pub conversations: Option<i32>,
    pub posters: Option<i32>,
    pub signatures: Option<i32>,
    pub contacts: Option<i32>,
    pub notes: Option<String>,
}

impl Outcome {
    /// Checks every figure (0 to [`MAX_COUNT`]) and the notes (trimmed,
    /// empty as none, at most [`MAX_NOTES`] characters); `prefix` names the
    /// input in errors (`input`).
    pub fn parse(mut self, prefix: &str) -> Result<Self, ValidationError> {
        for (name, value) in [
            ("leaflets", self.leaflets),
            ("doorsKnocked", self.doors_knocked),
            ("conversations", self.conversations),
            ("posters", self.posters),
            ("signatures", self.signatures),
            ("contacts", self.contacts),
        ] {
            if value.is_some_and(|v| !(0..=MAX_COUNT).contains(&v)) {
                return Err(ValidationError::new(
                    format!("{prefix}.{name}"),
                    format!("must be between 0 and {MAX_COUNT}"),
                ));
            }
        }
        self.notes = self
            .notes
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if self
            .notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTES)
        {
            return Err(ValidationError::new(
                format!("{prefix}.notes"),
                format!("at most {MAX_NOTES} characters"),
            ));
        }
        Ok(self)
    }
}

/// Why an outcome cannot be reported now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooEarlyOrLate {
    NotStarted,
    Closed,
}

impl TooEarlyOrLate {
    pub fn message(self) -> String {
        match self {
            Self::NotStarted => "an outcome can be reported once the action has started".to_owned(),
            Self::Closed => format!(
                "an outcome can be reported until {REPORTING_DAYS} days after the action's start"
            ),
        }
    }
}

/// Whether an action that starts at `starts_at` takes reports at `now`:
/// from its start to [`REPORTING_DAYS`] days after.
pub fn reporting_window(
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), TooEarlyOrLate> {
    if now < starts_at {
        Err(TooEarlyOrLate::NotStarted)
    } else if now > starts_at + Duration::days(REPORTING_DAYS) {
        Err(TooEarlyOrLate::Closed)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_bounded_and_notes_trimmed() {
        let ok = Outcome {
            leaflets: Some(0),
            doors_knocked: Some(MAX_COUNT),
            notes: Some("  ".to_owned()),
            ..Outcome::default()
        }
        .parse("input")
        .unwrap();
        assert_eq!(ok.notes, None);
        let err = Outcome {
            posters: Some(-1),
            ..Outcome::default()
        }
        .parse("input")
        .unwrap_err();
        assert_eq!(err.field, "input.posters");
        let err = Outcome {
            signatures: Some(MAX_COUNT + 1),
            ..Outcome::default()
        }
        .parse("input")
        .unwrap_err();
        assert_eq!(err.field, "input.signatures");
        let long = Outcome {
            notes: Some("é".repeat(MAX_NOTES + 1)),
            ..Outcome::default()
        };
        assert_eq!(long.parse("input").unwrap_err().field, "input.notes");
    }

    #[test]
    fn reports_are_taken_from_the_start_for_two_weeks() {
        let start = Utc::now();
        assert_eq!(
            reporting_window(start, start - Duration::minutes(1)),
            Err(TooEarlyOrLate::NotStarted)
        );
        assert_eq!(reporting_window(start, start), Ok(()));
        assert_eq!(reporting_window(start, start + Duration::days(14)), Ok(()));
        assert_eq!(
            reporting_window(start, start + Duration::days(14) + Duration::seconds(1)),
            Err(TooEarlyOrLate::Closed)
        );
    }
}

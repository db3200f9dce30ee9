//! Attendance: who came to an action. The hosts mark it from the attendee
//! list, or attendees check in themselves with the code the hosts show at
//! the event; each window is a rule of its own here.

use chrono::{DateTime, Duration, Utc};

use crate::RsvpStatus;

/// Check-in opens this long before the start...
pub const CHECK_IN_OPENS_HOURS: i64 = 1;
/// ...and stays open this long after it (or until the end, for an action
/// that lasts longer).
pub const CHECK_IN_CLOSES_HOURS: i64 = 6;
/// Hosts may mark attendance until this long after the start (the time it
/// takes to type in a paper sign-in sheet), as for outcomes.
pub const MARKING_DAYS: i64 = crate::outcomes::REPORTING_DAYS;

/// Why attendance cannot be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    TooEarly,
    Closed,
}

/// Whether attendees may check in at `now`: from an hour before the start
/// to six hours after it, or to the end of a longer action.
pub fn check_in_open(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Window> {
    let closes = (starts_at + Duration::hours(CHECK_IN_CLOSES_HOURS)).max(ends_at);
    if now < starts_at - Duration::hours(CHECK_IN_OPENS_HOURS) {
        Err(Window::TooEarly)
    } else if now > closes {
        Err(Window::Closed)
    } else {
        Ok(())
    }
}

/// Whether hosts may mark attendance at `now`: from an hour before the
/// start to [`MARKING_DAYS`] days after it.
pub fn marking_open(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Window> {
    if now < starts_at - Duration::hours(CHECK_IN_OPENS_HOURS) {
        Err(Window::TooEarly)
    } else if now > starts_at + Duration::days(MARKING_DAYS) {
        Err(Window::Closed)
    } else {
        Ok(())
    }
}

impl Window {
    pub fn message(self, check_in: bool) -> String {
        match (self, check_in) {
            (Window::TooEarly, _) => {
                format!("attendance opens {CHECK_IN_OPENS_HOURS} hour before the action starts")
            }
            (Window::Closed, true) => format!(
                "check-in closes {CHECK_IN_CLOSES_HOURS} hours after the start (or at the end)"
            ),
            (Window::Closed, false) => {
                format!("attendance can be marked until {MARKING_DAYS} days after the start")
            }
        }
    }
}

/// Whose attendance counts: people with a place, GOING or waitlisted (who
/// may have come anyway). A cancelled RSVP said they would not.
pub fn may_attend(status: RsvpStatus) -> bool {
    status.holds_place()
}

/// The letters of a check-in code: capitals and digits without those read
/// one for another (0/O, 1/I), so that it can be shown on a phone or a
/// sheet of paper and typed in without doubt.
pub const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// The length of a check-in code.
pub const CODE_LENGTH: usize = 6;

/// A check-in code made of these bytes (a keyed digest of the event).
pub fn code_from(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(CODE_LENGTH)
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect()
}

/// A typed code as compared: trimmed, upper case, without spaces.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_in_runs_from_an_hour_before_to_six_hours_after_or_the_end() {
        let start = Utc::now();
        let two_hours = start + Duration::hours(2);
        let before = start - Duration::minutes(61);
        assert_eq!(
            check_in_open(start, two_hours, before),
            Err(Window::TooEarly)
        );
        assert_eq!(
            check_in_open(start, two_hours, start - Duration::minutes(59)),
            Ok(())
        );
        assert_eq!(
            check_in_open(start, two_hours, start + Duration::minutes(359)),
            Ok(())
        );
        assert_eq!(
            check_in_open(start, two_hours, start + Duration::minutes(361)),
            Err(Window::Closed)
        );
        let three_days = start + Duration::days(3);
        assert_eq!(
            check_in_open(start, three_days, start + Duration::days(2)),
            Ok(()),
            "a long action takes check-ins until its end"
        );
    }

    #[test]
    fn hosts_mark_attendance_for_two_weeks() {
        let start = Utc::now();
        assert!(marking_open(start, start + Duration::days(13)).is_ok());
        assert_eq!(
            marking_open(start, start + Duration::days(15)),
            Err(Window::Closed)
        );
        assert_eq!(
            marking_open(start, start - Duration::hours(2)),
            Err(Window::TooEarly)
        );
    }

    #[test]
    fn codes_are_unambiguous_and_typed_loosely() {
        let code = code_from(&[0, 1, 31, 32, 200, 255, 9]);
        assert_eq!(code.len(), CODE_LENGTH);
        assert!(!code.contains(['0', 'O', '1', 'I']));
        assert_eq!(normalise_code(" ab2-c d9 "), "AB2CD9");
    }
}

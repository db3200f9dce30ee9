//! The rules of seats: who fits, who waits, who is promoted. Pure
//! arithmetic over an event's capacity and its parties, so the service
//! layer's RSVP transaction only locks, asks these, and writes.

use chrono::{DateTime, Utc};

use crate::RsvpStatus;

/// Most guests one RSVP may bring.
pub const MAX_GUESTS: i32 = 10;
/// Largest capacity an event may announce.
pub const MAX_CAPACITY: i32 = 1_000_000;

/// Seats of one party: the member and their guests.
pub fn party(guests: i16) -> i32 {
    1 + i32::from(guests)
}

/// An event's seats as locked for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    /// None for no limit.
    pub capacity: Option<i32>,
    pub taken: i32,
}

impl Seats {
    /// Seats still free; None for no limit.
    pub fn free(self) -> Option<i32> {
        self.capacity.map(|c| c - self.taken)
    }

    /// Where a party of `party` seats lands, given that `already` of the
    /// taken seats are its own (a GOING party changing its guests).
    pub fn place(self, party: i32, already: i32) -> RsvpStatus {
        let others = self.taken - already;
        if self.capacity.is_none_or(|c| party <= c - others) {
            RsvpStatus::Going
        } else {
            RsvpStatus::Waitlisted
        }
    }

    /// Which waiting parties (in waiting order) are promoted: each that fits
    /// in what is left, skipping one that does not, until none is left.
    /// Returns their indexes.
    pub fn promotions(self, waiting: &[i32]) -> Vec<usize> {
        let Some(mut free) = self.free() else {
            return (0..waiting.len()).collect();
        };
        let mut promoted = Vec::new();
        for (i, &p) in waiting.iter().enumerate() {
            if free <= 0 {
                break;
            }
            if p <= free {
                free -= p;
                promoted.push(i);
            }
        }
        promoted
    }
}

/// Why an event takes no RSVP.
pub fn closed_because(
    cancelled: bool,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    if cancelled {
        Some("the event is cancelled")
    } else if ends_at <= now {
        Some("the event has ended: RSVPs are closed")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_party_fits_whole_or_waits_whole() {
        let s = Seats {
            capacity: Some(10),
            taken: 8,
        };
        assert_eq!(s.place(2, 0), RsvpStatus::Going);
        assert_eq!(s.place(3, 0), RsvpStatus::Waitlisted);
        // A GOING party of 2 growing to 4 counts its own seats back.
        assert_eq!(s.place(4, 2), RsvpStatus::Going);
        let unlimited = Seats {
            capacity: None,
            taken: 1_000,
        };
        assert_eq!(unlimited.place(11, 0), RsvpStatus::Going);
    }

    #[test]
    fn promotion_skips_a_party_that_does_not_fit() {
        let s = Seats {
            capacity: Some(10),
            taken: 7,
        };
        assert_eq!(s.promotions(&[4, 2, 1, 1]), vec![1, 2]);
        assert_eq!(
            Seats {
                capacity: Some(5),
                taken: 5
            }
            .promotions(&[1]),
            Vec::<usize>::new()
        );
        assert_eq!(
            Seats {
                capacity: None,
                taken: 5
            }
            .promotions(&[3, 9]),
            vec![0, 1]
        );
    }

    #[test]
    fn closed_events() {
        let now = Utc::now();
        assert!(closed_because(true, now + chrono::Duration::hours(1), now).is_some());
        assert!(closed_because(false, now, now).is_some());
        assert!(closed_because(false, now + chrono::Duration::hours(1), now).is_none());
    }
}

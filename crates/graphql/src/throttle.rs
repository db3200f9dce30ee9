//! In-process throttles for login codes, keyed by email and by client
//! address (governor's GCRA: a burst that refills steadily).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Burst sizes and how fast they refill.
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// Codes sent to one email (sign-up and login share it).
    pub sends_per_email: u32,
    /// Codes sent for one client address.
    pub sends_per_address: u32,
    /// Code guesses for one email.
    pub guesses_per_email: u32,
    /// Code guesses from one client address.
    pub guesses_per_address: u32,
    /// Time for one spent attempt to come back.
    pub refill: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            sends_per_email: 5,
            sends_per_address: 5,
            guesses_per_email: 5,
            guesses_per_address: 5,
            refill: Duration::from_secs(180),
        }
    }
}

struct Pair {
    by_email: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl Pair {
    fn new(per_email: u32, per_address: u32, refill: Duration) -> Self {
        let quota = |burst: u32| {
            Quota::with_period(refill)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            by_email: RateLimiter::keyed(quota(per_email)),
            by_address: RateLimiter::keyed(quota(per_address)),
        }
    }

    /// Spends one attempt for the email and one for the address; the wait,
    /// in whole seconds, when either is exhausted.
    fn check(&self, email: &str, address: IpAddr) -> Result<(), ApiError> {
        let now = DefaultClock::default().now();
        let waits = [
            self.by_email.check_key(&email.to_owned()).err(),
            self.by_address.check_key(&address).err(),
        ];
        let wait = waits
            .into_iter()
            .flatten()
            .map(|n| n.wait_time_from(now))
            .max();
        match wait {
            None => Ok(()),
            Some(w) => Err(ApiError::RateLimited {
                retry_after_seconds: w.as_secs() + u64::from(w.subsec_nanos() > 0),
            }),
        }
    }

    fn purge(&self) {
        self.by_email.retain_recent();
        self.by_address.retain_recent();
    }
}

/// The login throttles of one server process.
pub struct Throttles {
    sends: Pair,
    guesses: Pair,
}

impl Throttles {
    pub fn new(c: &ThrottleConfig) -> Self {
        Self {
            sends: Pair::new(c.sends_per_email, c.sends_per_address, c.refill),
            guesses: Pair::new(c.guesses_per_email, c.guesses_per_address, c.refill),
        }
    }

    /// Before sending a code (signUp, requestLoginCode).
    pub fn check_send(&self, email: &str, address: IpAddr) -> Result<(), ApiError> {
        self.sends.check(email, address)
    }

    /// Before checking a code: every attempt counts, so a wrong guess beyond
    /// the burst is refused before the code is even looked at.
    pub fn check_guess(&self, email: &str, address: IpAddr) -> Result<(), ApiError> {
        self.guesses.check(email, address)
    }

    /// Forgets keys whose buckets are full again; call periodically.
    pub fn purge(&self) {
        self.sends.purge();
        self.guesses.purge();
    }
}

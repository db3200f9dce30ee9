//! Throttles for login codes (by email and by client address), limits on
//! what members create, and a general request budget. All are GCRA (a
//! burst that refills steadily). With Redis configured they are counted in
//! Redis, shared by every replica; otherwise, or while Redis is away, in
//! this process with governor.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use std::sync::Arc;

use cortege_realtime::RedisRateLimiter;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The limits' shared store, when there is one.
pub type Shared = Option<Arc<RedisRateLimiter>>;

/// Spends one unit of each key's allowance in Redis; the longest wait, or
/// None when Redis could not answer (the caller then counts locally).
async fn spend_shared(
    shared: &RedisRateLimiter,
    keys: &[String],
    interval: Duration,
    burst: u32,
) -> Option<Option<Duration>> {
    let mut longest: Option<Duration> = None;
    for key in keys {
        match shared.spend(key, interval, burst).await {
            Ok(wait) => longest = longest.max(wait),
            Err(e) => {
                tracing::warn!(error = %e, "rate limits: Redis unavailable, counting in this process");
                return None;
            }
        }
    }
    Some(longest)
}

/// Keys never hold an email in clear: a hash is enough to count.
fn email_key(email: &str) -> String {
    let digest = Sha256::digest(email.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

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
    name: &'static str,
    refill: Duration,
    per_email: u32,
    per_address: u32,
    by_email: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl Pair {
    fn new(name: &'static str, per_email: u32, per_address: u32, refill: Duration) -> Self {
        let quota = |burst: u32| {
            Quota::with_period(refill)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            name,
            refill,
            per_email,
            per_address,
            by_email: RateLimiter::keyed(quota(per_email)),
            by_address: RateLimiter::keyed(quota(per_address)),
        }
    }

    /// Spends one attempt for the email and one for the address; the wait,
    /// in whole seconds, when either is exhausted.
    async fn check(&self, shared: &Shared, email: &str, address: IpAddr) -> Result<(), Error> {
        if let Some(shared) = shared {
            let by_email = [format!("{}:email:{}", self.name, email_key(email))];
            let by_address = [format!("{}:addr:{address}", self.name)];
            let waits = (
                spend_shared(shared, &by_email, self.refill, self.per_email).await,
                spend_shared(shared, &by_address, self.refill, self.per_address).await,
            );
            if let (Some(a), Some(b)) = waits {
                return a.max(b).map_or(Ok(()), |w| Err(Error::rate_limited(w)));
            }
        }
        self.check_local(email, address)
    }

    fn check_local(&self, email: &str, address: IpAddr) -> Result<(), Error> {
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
        wait.map_or(Ok(()), |w| Err(Error::rate_limited(w)))
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
    shared: Shared,
}

impl Throttles {
    pub fn new(c: &ThrottleConfig, shared: Shared) -> Self {
        Self {
            sends: Pair::new("sends", c.sends_per_email, c.sends_per_address, c.refill),
            guesses: Pair::new(
                "guesses",
                c.guesses_per_email,
                c.guesses_per_address,
                c.refill,
            ),
            shared,
        }
    }

    /// Before sending a code (signUp, requestLoginCode).
    pub async fn check_send(&self, email: &str, address: IpAddr) -> Result<(), Error> {
        self.sends.check(&self.shared, email, address).await
    }

    /// Before checking a code: every attempt counts, so a wrong guess beyond
    /// the burst is refused before the code is even looked at.
    pub async fn check_guess(&self, email: &str, address: IpAddr) -> Result<(), Error> {
        self.guesses.check(&self.shared, email, address).await
    }

    /// Forgets keys whose buckets are full again; call periodically.
    pub fn purge(&self) {
        self.sends.purge();
        self.guesses.purge();
    }
}

/// Limits on what members create, and a general request budget.
#[derive(Debug, Clone)]
pub struct ContentLimitConfig {
    /// Events one person may create per hour.
    pub events_per_hour: u32,
    /// Groups one person may create per day.
    pub groups_per_day: u32,
    /// Reports one person may file per day.
    pub reports_per_day: u32,
    /// Friend requests one person may send per day.
    pub friend_requests_per_day: u32,
    /// GraphQL requests per minute, per client address and per person.
    pub requests_per_minute: u32,
}

impl Default for ContentLimitConfig {
    fn default() -> Self {
        Self {
            events_per_hour: 20,
            groups_per_day: 10,
            reports_per_day: 60,
            friend_requests_per_day: 200,
            requests_per_minute: 600,
        }
    }
}

/// What a limited action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateEvent,
    CreateGroup,
    Report,
    FriendRequest,
    /// Check-in attempts, so that a code cannot be guessed.
    CheckIn,
}

/// Check-in attempts per person per hour: a few typos, not a search.
const CHECK_INS_PER_HOUR: u32 = 20;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
const MINUTE: Duration = Duration::from_secs(60);

/// `count` per `per`, as a GCRA interval and burst.
fn gcra(count: u32, per: Duration) -> (Duration, u32) {
    let count = count.max(1);
    (per / count, count)
}

fn quota(count: u32, per: Duration) -> Quota {
    let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(per / count.get())
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(count)
}

fn refusal(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> Error {
    Error::rate_limited(not_until.wait_time_from(DefaultClock::default().now()))
}

pub struct ContentLimits {
    config: ContentLimitConfig,
    shared: Shared,
    events: DefaultKeyedRateLimiter<uuid::Uuid>,
    groups: DefaultKeyedRateLimiter<uuid::Uuid>,
    reports: DefaultKeyedRateLimiter<uuid::Uuid>,
    friend_requests: DefaultKeyedRateLimiter<uuid::Uuid>,
    check_ins: DefaultKeyedRateLimiter<uuid::Uuid>,
    by_person: DefaultKeyedRateLimiter<uuid::Uuid>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl ContentLimits {
    pub fn new(c: &ContentLimitConfig, shared: Shared) -> Self {
        Self {
            config: c.clone(),
            shared,
            events: RateLimiter::keyed(quota(c.events_per_hour, HOUR)),
            groups: RateLimiter::keyed(quota(c.groups_per_day, DAY)),
            reports: RateLimiter::keyed(quota(c.reports_per_day, DAY)),
            friend_requests: RateLimiter::keyed(quota(c.friend_requests_per_day, DAY)),
            check_ins: RateLimiter::keyed(quota(CHECK_INS_PER_HOUR, HOUR)),
            by_person: RateLimiter::keyed(quota(c.requests_per_minute, MINUTE)),
            by_address: RateLimiter::keyed(quota(c.requests_per_minute, MINUTE)),
        }
    }

    /// Spends one of the person's allowance for `action`.
    pub async fn check(&self, action: Action, person: uuid::Uuid) -> Result<(), Error> {
        if let Some(shared) = &self.shared {
            let (name, count, per) = match action {
                Action::CreateEvent => ("events", self.config.events_per_hour, HOUR),
                Action::CreateGroup => ("groups", self.config.groups_per_day, DAY),
                Action::Report => ("reports", self.config.reports_per_day, DAY),
                Action::FriendRequest => {
                    ("friend_requests", self.config.friend_requests_per_day, DAY)
                }
                Action::CheckIn => ("check_ins", CHECK_INS_PER_HOUR, HOUR),
            };
            let (interval, burst) = gcra(count, per);
            let key = [format!("{name}:{person}")];
            if let Some(wait) = spend_shared(shared, &key, interval, burst).await {
                return wait.map_or(Ok(()), |w| Err(Error::rate_limited(w)));
            }
        }
        let limiter = match action {
            Action::CreateEvent => &self.events,
            Action::CreateGroup => &self.groups,
            Action::Report => &self.reports,
            Action::FriendRequest => &self.friend_requests,
            Action::CheckIn => &self.check_ins,
        };
        limiter.check_key(&person).map_err(refusal)
    }

    /// Spends one request of the general budget, per address and per person.
    pub async fn check_request(
        &self,
        address: IpAddr,
        person: Option<uuid::Uuid>,
    ) -> Result<(), Error> {
        if let Some(shared) = &self.shared {
            let mut keys = vec![format!("requests:addr:{address}")];
            if let Some(p) = person {
                keys.push(format!("requests:person:{p}"));
            }
            let (interval, burst) = gcra(self.config.requests_per_minute, MINUTE);
            if let Some(wait) = spend_shared(shared, &keys, interval, burst).await {
                return wait.map_or(Ok(()), |w| Err(Error::rate_limited(w)));
            }
        }
        self.by_address.check_key(&address).map_err(refusal)?;
        if let Some(p) = person {
            self.by_person.check_key(&p).map_err(refusal)?;
        }
        Ok(())
    }

    pub fn purge(&self) {
        self.events.retain_recent();
        self.groups.retain_recent();
        self.reports.retain_recent();
        self.friend_requests.retain_recent();
        self.check_ins.retain_recent();
        self.by_person.retain_recent();
        self.by_address.retain_recent();
    }
}

//! Rate limits shared by every replica through Redis: the same GCRA as
//! governor's in-process limiters (a burst that refills one unit per
//! interval), evaluated atomically in Redis with Redis's own clock, so that
//! a person or an address cannot multiply their allowance by the number of
//! replicas.

use std::time::Duration;

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::BusError;

/// GCRA: the key holds the theoretical arrival time (ms) of the next
/// request; a request is allowed when that time is at most `burst`
/// intervals ahead of now. Returns 0, or the milliseconds to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - now - burst * interval
if wait > 0 then return wait end
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
return 0
";

pub struct RedisRateLimiter {
    conn: ConnectionManager,
    prefix: String,
    script: Script,
}

impl RedisRateLimiter {
    pub fn new(url: &str, prefix: &str) -> Result<Self, BusError> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new_lazy_with_config(
            client,
            ConnectionManagerConfig::new()
                .set_connection_timeout(Some(Duration::from_millis(500)))
                .set_response_timeout(Some(Duration::from_millis(500)))
                .set_number_of_retries(0),
        )?;
        Ok(Self {
            conn,
            prefix: format!("{prefix}:rl:"),
            script: Script::new(GCRA),
        })
    }

    /// Spends one unit of `key`'s allowance (`burst` units, one back every
    /// `interval`); Some(wait) when there is none left.
    pub async fn spend(
        &self,
        key: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Option<Duration>, BusError> {
        let mut conn = self.conn.clone();
        let interval_ms = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let wait_ms: u64 = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(interval_ms)
            .arg(burst.max(1))
            .invoke_async(&mut conn)
            .await?;
        Ok((wait_ms > 0).then(|| Duration::from_millis(wait_ms)))
    }
}

//! Rate limits shared by every replica through Redis: the same GCRA as
//! governor's in-process limiters (a burst that refills one unit per
//! interval), evaluated atomically in Redis with Redis's own clock, so that
//! a person or an address cannot multiply their allowance by the number of
//! replicas.

use std::time::Duration;

use redis::Script;

use crate::BusError;
use crate::redis_target::{Commands, RedisTarget};

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
    commands: Commands,
    prefix: String,
    script: Script,
}

impl RedisRateLimiter {
    pub fn new(target: &RedisTarget, prefix: &str) -> Result<Self, BusError> {
        Ok(Self {
            commands: target.commands(Duration::from_millis(500), 0)?,
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
        let mut conn = self.commands.connection().await?;
        let interval_ms = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let spent: redis::RedisResult<u64> = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(interval_ms)
            .arg(burst.max(1))
            .invoke_async(&mut conn)
            .await;
        let wait_ms = match spent {
            Ok(wait) => wait,
            Err(e) => {
                self.commands.failed().await;
                return Err(e.into());
            }
        };
        Ok((wait_ms > 0).then(|| Duration::from_millis(wait_ms)))
    }
}

//! Rate limits of sign-in flow creation: per client address and per embedding origin.
//!
//! A flow costs a database row and, once bound, a round trip to the authorization server, and
//! `Origin` is free to set outside a browser: without limits one script could fill the flow
//! table. Each limit is a GCRA bucket refilled evenly over a minute, bursting to a sixth of it.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock as _, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use super::FlowError;
use super::config::FlowLimitsConfig;

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, DefaultClock>;

pub struct FlowLimits {
    per_address: Option<Keyed<IpAddr>>,
    per_origin: Option<Keyed<String>>,
    clock: DefaultClock,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<Keyed<K>> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new((per_minute / 6).max(1)).unwrap_or(NonZeroU32::MIN);
    Some(RateLimiter::hashmap(
        Quota::per_minute(rate).allow_burst(burst),
    ))
}

impl FlowLimits {
    pub fn new(config: &FlowLimitsConfig) -> Self {
        FlowLimits {
            per_address: limiter(config.per_address_per_minute),
            per_origin: limiter(config.per_origin_per_minute),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one flow from both buckets, or says how long to wait.
    pub fn check(&self, peer: Option<IpAddr>, origin: &str) -> Result<(), FlowError> {
        let wait = |not_until: governor::NotUntil<_>| {
            let secs = not_until.wait_time_from(self.clock.now()).as_secs() + 1;
            FlowError::TooMany {
                retry_after_secs: secs,
            }
        };
        if let (Some(limiter), Some(peer)) = (&self.per_address, peer) {
            limiter.check_key(&peer).map_err(wait)?;
        }
        if let Some(limiter) = &self.per_origin {
            limiter.check_key(&origin.to_owned()).map_err(wait)?;
        }
        Ok(())
    }

    /// Drops the buckets of keys that are full again (keeps memory bounded by recent clients).
    pub fn forget_idle(&self) {
        if let Some(l) = &self.per_address {
            l.retain_recent();
        }
        if let Some(l) = &self.per_origin {
            l.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_past_the_limit_is_refused_with_a_wait() {
        let limits = FlowLimits::new(&FlowLimitsConfig {
            per_address_per_minute: 12,
            per_origin_per_minute: 0,
            max_open: 10,
        });
        let peer: IpAddr = "192.0.2.1".parse().unwrap();
        // Burst of 2 (a sixth of 12 per minute).
        assert!(limits.check(Some(peer), "https://a.example").is_ok());
        assert!(limits.check(Some(peer), "https://a.example").is_ok());
        match limits.check(Some(peer), "https://a.example") {
            Err(FlowError::TooMany { retry_after_secs }) => {
                assert!((1..=6).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("expected TooMany, got {other:?}"),
        }
        // Another client is not affected.
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limits.check(Some(other), "https://a.example").is_ok());
    }

    #[test]
    fn one_origin_is_limited_whatever_the_address() {
        let limits = FlowLimits::new(&FlowLimitsConfig {
            per_address_per_minute: 0,
            per_origin_per_minute: 6,
            max_open: 10,
        });
        let mut refused = 0;
        for i in 0..5u8 {
            let peer = IpAddr::from([192, 0, 2, i]);
            if limits.check(Some(peer), "https://a.example").is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 4, "a burst of one per origin");
        assert!(limits.check(None, "https://b.example").is_ok());
    }
}

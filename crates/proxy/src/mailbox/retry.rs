//! How long to wait before trying Exchange again, and when to give up.
//!
//! Exchange says how long to back off (ErrorServerBusy's BackOffMilliseconds, HTTP 503/429's
//! Retry-After); we wait exactly that, as long as the total stays within the retry budget.
//! When it would not, we stop at once and report the server's wait to the user ("Exchange is
//! busy, retry in N s") instead of holding the form submit hostage.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::MailboxError;

/// Settings of [`Budget`] (from `ews.max_retries` / `ews.retry_budget_seconds`).
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub budget: Duration,
}

/// Why the previous attempt needs another try.
#[derive(Debug)]
pub enum RetryCause {
    /// Exchange refused the request for now; `wait` is what it asked for, if anything.
    Throttled { wait: Option<Duration> },
    /// The request may not have reached Exchange, or its answer was lost.
    Transient { reason: String },
}

/// The time allowance of one API call (shared by all EWS requests it makes). It counts the
/// whole time since the call started (slow attempts included), so a user waits at most about
/// the budget plus one request timeout.
#[derive(Debug)]
pub struct Budget {
    policy: RetryPolicy,
    retries: u32,
    waited: Duration,
    started: Instant,
}

/// Waits without a server hint: 250 ms, 500 ms, 1 s, 2 s, 4 s, 4 s, …
fn backoff(retry: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << retry.min(4)))
}

impl Budget {
    pub fn new(policy: RetryPolicy) -> Self {
        Self {
            policy,
            retries: 0,
            waited: Duration::ZERO,
            started: Instant::now(),
        }
    }

    /// How long to sleep before the next try, or the error to give up with.
    pub fn next_wait(&mut self, cause: RetryCause) -> Result<Duration, MailboxError> {
        let wait = match &cause {
            RetryCause::Throttled { wait: Some(wait) } => *wait,
            _ => backoff(self.retries),
        };
        let spent = self.waited.max(self.started.elapsed());
        let over_budget = spent + wait > self.policy.budget;
        if self.retries >= self.policy.max_retries || over_budget {
            return Err(match cause {
                RetryCause::Throttled { .. } => MailboxError::Throttled {
                    retry_after: wait.max(Duration::from_secs(1)),
                },
                RetryCause::Transient { reason } => MailboxError::Unavailable(reason),
            });
        }
        self.retries += 1;
        crate::telemetry::record_retry();
        self.waited += wait;
        Ok(wait)
    }

    pub fn retries(&self) -> u32 {
        self.retries
    }
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Unparseable = no hint.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_retries: u32, budget_secs: u64) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            budget: Duration::from_secs(budget_secs),
        }
    }

    #[test]
    fn waits_what_the_server_asks_within_budget() {
        let mut budget = Budget::new(policy(5, 30));
        let ask = |s| RetryCause::Throttled {
            wait: Some(Duration::from_secs(s)),
        };
        assert_eq!(budget.next_wait(ask(10)).unwrap(), Duration::from_secs(10));
        assert_eq!(budget.next_wait(ask(15)).unwrap(), Duration::from_secs(15));
        // 25 s waited; another 10 s would exceed 30 s: give up, telling the caller 10 s.
        match budget.next_wait(ask(10)) {
            Err(MailboxError::Throttled { retry_after }) => {
                assert_eq!(retry_after, Duration::from_secs(10))
            }
            other => panic!("expected Busy, got {other:?}"),
        }
    }

    #[test]
    fn a_back_off_longer_than_the_budget_fails_at_once() {
        let mut budget = Budget::new(policy(5, 30));
        let err = budget
            .next_wait(RetryCause::Throttled {
                wait: Some(Duration::from_secs(300)),
            })
            .unwrap_err();
        assert!(
            matches!(err, MailboxError::Throttled { retry_after } if retry_after == Duration::from_secs(300))
        );
        assert_eq!(budget.retries(), 0);
    }

    #[test]
    fn retries_are_counted() {
        let mut budget = Budget::new(policy(2, 30));
        let lost = || RetryCause::Transient {
            reason: "connection reset".into(),
        };
        assert_eq!(
            budget.next_wait(lost()).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            budget.next_wait(lost()).unwrap(),
            Duration::from_millis(500)
        );
        assert!(
            matches!(budget.next_wait(lost()), Err(MailboxError::Unavailable(r)) if r == "connection reset")
        );
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 12:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}

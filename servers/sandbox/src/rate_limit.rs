//! Fixed-window rate limiting and the `X-RateLimit-*` headers (API reference §6).
//!
//! Decisions (the docs give neither numbers nor semantics):
//! * one fixed 60-second window per bucket, starting at the bucket's first request;
//!   the limit is the `--rate-limit` flag, which `GET /config` also reports as `rateLimit`;
//! * a bucket is the seeded key (so every browser sharing one widget key shares one
//!   budget, which is what a widget must cope with), or the client IP when there is no
//!   valid key, so unauthenticated floods are limited too;
//! * `X-RateLimit-Reset` is the Unix time in seconds at which the window resets
//!   (a common convention); `Retry-After` on a 429 is the seconds until then.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

pub const WINDOW_SECS: u64 = 60;

pub const LIMIT_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub const REMAINING_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
pub const RESET_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Past this many buckets, stale windows are dropped so a flood of client IPs can't grow memory forever.
const PRUNE_ABOVE: usize = 10_000;

/// Who a request counts against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    Key(&'static str),
    Ip(IpAddr),
    /// No key and no peer address (only in tests that skip connect info).
    Anonymous,
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started: u64,
    count: u32,
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<Bucket, Window>,
}

/// The outcome of counting one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds at which the window resets.
    pub reset: u64,
    /// Set when the request is over the limit: seconds to wait, at least 1.
    pub retry_after: Option<u64>,
}

impl RateLimiter {
    /// Counts one request from `bucket` at Unix time `now`.
    pub fn hit(&mut self, bucket: Bucket, limit: u32, now: u64) -> Quota {
        if self.windows.len() > PRUNE_ABOVE {
            self.windows.retain(|_, window| now < window.started + WINDOW_SECS);
        }
        let window = self.windows.entry(bucket).or_insert(Window { started: now, count: 0 });
        if now >= window.started + WINDOW_SECS {
            *window = Window { started: now, count: 0 };
        }
        window.count = window.count.saturating_add(1);
        let reset = window.started + WINDOW_SECS;
        Quota {
            limit,
            remaining: limit.saturating_sub(window.count),
            reset,
            retry_after: (window.count > limit).then(|| reset.saturating_sub(now).max(1)),
        }
    }

    pub fn clear(&mut self) {
        self.windows.clear();
    }
}

impl Quota {
    /// Writes `X-RateLimit-*`, and `Retry-After` when over the limit.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(LIMIT_HEADER, HeaderValue::from(self.limit));
        headers.insert(REMAINING_HEADER, HeaderValue::from(self.remaining));
        headers.insert(RESET_HEADER, HeaderValue::from(self.reset));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_limits_until_the_window_resets() {
        let mut limiter = RateLimiter::default();
        let key = Bucket::Key("pk_test_x");
        let first = limiter.hit(key.clone(), 2, 1_000);
        assert_eq!(first, Quota { limit: 2, remaining: 1, reset: 1_060, retry_after: None });
        assert_eq!(limiter.hit(key.clone(), 2, 1_010).remaining, 0);
        let over = limiter.hit(key.clone(), 2, 1_015);
        assert_eq!((over.remaining, over.retry_after), (0, Some(45)));
        // Other buckets have budgets of their own.
        assert_eq!(limiter.hit(Bucket::Anonymous, 2, 1_015).retry_after, None);
        let fresh = limiter.hit(key, 2, 1_060);
        assert_eq!(fresh, Quota { limit: 2, remaining: 1, reset: 1_120, retry_after: None });
    }
}

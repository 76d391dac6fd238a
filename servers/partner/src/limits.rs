//! What one client may ask of this server: rate limits per client IP and per session
//! (`tower_governor`), a deadline per request and a cap on requests in progress (tower's
//! `Timeout`, `ConcurrencyLimit` and `LoadShed`).
//!
//! Decisions: every `/sir/*` route is limited per IP (`PARTNER_RATE_PER_IP` a minute, in
//! bursts of a third of that) and per session credential (`PARTNER_RATE_PER_SESSION`);
//! the demo sign-in also per IP (`PARTNER_SIGN_INS_PER_IP`). A presented credential is
//! limited whether or not it is valid, so inventing cookies buys nothing beyond the IP's
//! own limit. An IPv6 client is keyed by its /64 (one subscriber's whole prefix), so
//! fresh addresses from one network buy nothing either.
//!
//! Every client also has a share of the requests in progress ([`ClientShares`]):
//! `PARTNER_MAX_CONCURRENT_PER_CLIENT` of `/sir/*` (more are refused), and
//! [`WEBHOOKS_PER_CLIENT`] webhook bodies read at once (more wait their turn, up to the
//! request deadline). Webhooks are never rate-limited or refused for load: SIR delivers
//! bursts from a few addresses, and a signed delivery costs one insert (`webhook.rs`).
//! Their slots (`PARTNER_MAX_CONCURRENT_WEBHOOKS`) are apart from the rest's.

use std::collections::HashMap;
use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse as _, Response};
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;

use crate::config::{Config, IdentityConfig};
use crate::error::{ApiError, ErrorCode};
use crate::extract::{client_ip, peer_ip};
use crate::identity::credential;
use crate::metrics::Metrics;

/// Webhook bodies read at once from one client (IP, or IPv6 /64); more wait their turn.
pub const WEBHOOKS_PER_CLIENT: usize = 8;

/// The key a client's limits count under: its IP, or its IPv6 /64 (the same key as its
/// share of connections).
pub fn rate_key(ip: IpAddr) -> IpAddr {
    sir_server_kit::connections::client_key(ip)
}

/// The client's IP (see [`client_ip`]): the key of the per-IP limits.
#[derive(Clone, Debug)]
pub struct ClientIp {
    trusted: Arc<[IpAddr]>,
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        // No peer address only happens in in-process tests: one shared bucket.
        Ok(rate_key(
            client_ip(request.headers(), peer_ip(request.extensions()), &self.trusted)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

/// The session credential the request presents (demo cookie, JWT, proxy user header),
/// else the client's IP: the key of the per-session limit. Hashed with a per-process
/// random key, so the limiter holds no credential.
#[derive(Clone, Debug)]
pub struct Session {
    identity: Arc<IdentityConfig>,
    cookie: &'static str,
    ip: ClientIp,
    hasher: std::collections::hash_map::RandomState,
}

impl KeyExtractor for Session {
    type Key = u64;

    fn extract<T>(&self, request: &Request<T>) -> Result<u64, GovernorError> {
        let mut hasher = self.hasher.build_hasher();
        let from_proxy = peer_ip(request.extensions()).is_some_and(|ip| self.ip.trusted.contains(&ip));
        match credential(&self.identity, request.headers(), self.cookie, from_proxy) {
            Some(credential) => credential.hash(&mut hasher),
            None => self.ip.extract(request)?.hash(&mut hasher),
        }
        Ok(hasher.finish())
    }
}

pub type IpLimit = Arc<GovernorConfig<ClientIp, governor::middleware::NoOpMiddleware>>;
pub type SessionLimit = Arc<GovernorConfig<Session, governor::middleware::NoOpMiddleware>>;

/// The limiters, kept so a timer can drop idle keys (`retain_recent`).
#[derive(Clone)]
pub struct Limiters {
    pub per_ip: IpLimit,
    pub per_session: SessionLimit,
    pub sign_ins: IpLimit,
}

fn per_minute<K: KeyExtractor>(
    key: K,
    per_minute: u32,
) -> Arc<GovernorConfig<K, governor::middleware::NoOpMiddleware>> {
    let per_minute = per_minute.max(1);
    let config = GovernorConfigBuilder::default()
        .key_extractor(key)
        .period(Duration::from_secs(60) / per_minute)
        .burst_size((per_minute / 3).max(1))
        .finish();
    // Only a zero period or burst makes `finish` fail, and both are at least 1 here.
    Arc::new(config.unwrap_or_else(|| unreachable!("a positive period and burst")))
}

impl Limiters {
    pub fn new(config: &Config, cookie: &'static str) -> Self {
        let ip = ClientIp { trusted: config.trusted_proxies.clone().into() };
        let session = Session {
            identity: Arc::new(config.identity.clone()),
            cookie,
            ip: ip.clone(),
            hasher: std::collections::hash_map::RandomState::new(),
        };
        Self {
            per_ip: per_minute(ip.clone(), config.limits.per_ip_per_minute),
            per_session: per_minute(session, config.limits.per_session_per_minute),
            sign_ins: per_minute(ip, config.limits.sign_ins_per_minute),
        }
    }

    /// Forgets keys whose buckets are full again (run on a timer).
    pub fn retain_recent(&self) {
        self.per_ip.limiter().retain_recent();
        self.per_session.limiter().retain_recent();
        self.sign_ins.limiter().retain_recent();
    }
}

/// A governor refusal in the contract's envelope: 429 `RATE_LIMITED` with `Retry-After`.
pub fn too_many(error: GovernorError) -> Response {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "Too many requests; retry later")
                .with_retry_after(wait_time.max(1))
                .into_response()
        }
        other => ApiError::internal(format!("rate limiter: {other}")).into_response(),
    }
}

/// Work in progress at once per client (IP, or IPv6 /64, as [`client_ip`] takes it from
/// trusted proxies), and in all: `/sir/*` requests, or webhook bodies being read. Past a
/// share, the work either waits its turn (`wait`: webhooks, which must not be refused) or
/// is refused at once with 503 `OVERLOADED`.
#[derive(Clone)]
pub struct ClientShares {
    per_client: usize,
    all: Arc<Semaphore>,
    clients: Arc<Mutex<HashMap<IpAddr, Arc<Share>>>>,
    trusted: Arc<[IpAddr]>,
    wait: Option<Duration>,
    metrics: Arc<Metrics>,
    name: &'static str,
}

/// One client's share: its slots, and how many of its requests wait for one.
struct Share {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
}

/// Requests of one client that may wait for its slots, per slot: past that, the client is
/// sending faster than it is served, and more waiting would only hold memory.
const WAITING_PER_SLOT: usize = 4;

/// Forgets the client's share when the work is over, however it ends (a cancelled request
/// drops it too), so the map never keeps a client that has nothing in progress.
struct Leave<'a>(&'a ClientShares, IpAddr);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.leave(self.1);
    }
}

/// Counts down a share's waiters when a wait ends, however it ends.
struct Waiting<'a>(&'a Share);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ClientShares {
    pub fn new(
        name: &'static str,
        per_client: usize,
        all: usize,
        wait: Option<Duration>,
        trusted: &[IpAddr],
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            per_client,
            all: Arc::new(Semaphore::new(all)),
            clients: Arc::default(),
            trusted: trusted.into(),
            wait,
            metrics,
            name,
        }
    }

    fn clients(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Arc<Share>>> {
        self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Both permits (the client's, then one of all), or `None` past the share.
    async fn enter(&self, key: IpAddr) -> Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)> {
        let share = self
            .clients()
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Share { slots: Arc::new(Semaphore::new(self.per_client)), waiting: AtomicUsize::new(0) })
            })
            .clone();
        let Some(wait) = self.wait else {
            return Some((share.slots.clone().try_acquire_owned().ok()?, self.all.clone().try_acquire_owned().ok()?));
        };
        if share.waiting.fetch_add(1, Ordering::Relaxed) >= self.per_client * WAITING_PER_SLOT {
            share.waiting.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let _waiting = Waiting(&share);
        let waited = tokio::time::Instant::now();
        let own = tokio::time::timeout(wait, share.slots.clone().acquire_owned()).await.ok()?.ok()?;
        let left = wait.saturating_sub(waited.elapsed());
        let all = tokio::time::timeout(left, self.all.clone().acquire_owned()).await.ok()?.ok()?;
        Some((own, all))
    }

    /// Forgets a client whose share is idle again.
    fn leave(&self, key: IpAddr) {
        let mut clients = self.clients();
        let idle =
            |share: &Arc<Share>| Arc::strong_count(share) == 1 && share.slots.available_permits() == self.per_client;
        if clients.get(&key).is_some_and(idle) {
            clients.remove(&key);
        }
    }

    /// The client a request counts for: its IP (or IPv6 /64), through trusted proxies.
    pub fn client_of<B>(&self, request: &axum::http::Request<B>) -> IpAddr {
        rate_key(
            client_ip(request.headers(), peer_ip(request.extensions()), &self.trusted)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        )
    }

    /// Runs `work` inside `client`'s share; 503 `OVERLOADED` (counted as shed) when the
    /// share stays busy (at once, or after the wait), or too many wait already.
    pub async fn run<T>(&self, client: IpAddr, work: impl std::future::Future<Output = T>) -> Result<T, ApiError> {
        // Declared first, so dropped last: after the permits, however this ends.
        let _leave = Leave(self, client);
        let Some(_permits) = self.enter(client).await else {
            self.metrics.shed(self.name);
            tracing::warn!(%client, share = self.name, "request shed: the client's share is busy");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Overloaded,
                "Too busy right now; try again",
            )
            .with_retry_after(1));
        };
        Ok(work.await)
    }
}

/// Middleware: runs the request inside its client's share (see [`ClientShares`]).
pub async fn within_share(
    axum::extract::State(shares): axum::extract::State<ClientShares>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let client = shares.client_of(&request);
    shares.run(client, next.run(request)).await.unwrap_or_else(|refused| refused.into_response())
}

/// `router` with one cap for all its requests (tower's `GlobalConcurrencyLimitLayer`:
/// axum gives each route its own copy of a layer, so a plain concurrency limit would be per
/// route), refusing at once past it (`LoadShed`), and a deadline for each.
pub fn bounded<S: Clone + Send + Sync + 'static>(
    router: axum::Router<S>,
    max: usize,
    deadline: std::time::Duration,
) -> axum::Router<S> {
    router.layer(
        tower::ServiceBuilder::new()
            .layer(axum::error_handling::HandleErrorLayer::new(overloaded_or_late))
            .load_shed()
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(max))
            .timeout(deadline),
    )
}

/// `router` with a deadline for each request, and no cap: its own middleware shares the slots.
pub fn deadline<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, deadline: Duration) -> axum::Router<S> {
    router.layer(
        tower::ServiceBuilder::new()
            .layer(axum::error_handling::HandleErrorLayer::new(overloaded_or_late))
            .timeout(deadline),
    )
}

/// What the deadline and concurrency layers fail with, in the contract's envelope.
pub async fn overloaded_or_late(error: tower::BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(StatusCode::GATEWAY_TIMEOUT, ErrorCode::Timeout, "This took too long; try again")
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Overloaded, "Too busy right now; try again")
            .with_retry_after(1)
    } else {
        ApiError::internal(format!("middleware: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(rate_key(a), rate_key(b));
        assert_ne!(rate_key(a), rate_key(other));
        assert_eq!(rate_key("::ffff:203.0.113.7".parse().expect("ip")), "203.0.113.7".parse::<IpAddr>().expect("ip"));
        assert_eq!(rate_key("203.0.113.7".parse().expect("ip")), "203.0.113.7".parse::<IpAddr>().expect("ip"));
    }
}

//! Who may hold a connection, and for how long.
//!
//! Every connection gets a deadline from `accept`: its first request must be under way
//! within [`ConnectionPolicy::first_request`], and a connection with no request in flight
//! is closed after [`ConnectionPolicy::idle`], on HTTP/1 and HTTP/2 alike (hyper's
//! header-read timeout covers only HTTP/1, and only once a byte has arrived).
//!
//! Each client address holds at most [`ConnectionPolicy::per_address`] connections, and the
//! server at most [`ConnectionPolicy::max`]. Past either share, the oldest *idle* connection
//! of that address (or of the address holding the most) is closed to make room, so that a
//! client hoarding idle sockets loses its own, and anyone (that same address included)
//! who arrives with a request still gets in. Only when every connection in the way is busy
//! is the new one refused. A trusted proxy's connections carry many clients: they have no
//! per-address share (its own `limit_conn` applies in front, see the partner README).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The key a client's share counts under: its IP, or its IPv6 /64 (one subscriber's whole
/// prefix, so fresh addresses from one network buy nothing).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// The limits [`crate::serve_with`] applies to connections.
#[derive(Clone, Debug)]
pub struct ConnectionPolicy {
    /// Connections open at once, in all.
    pub max: usize,
    /// Connections open at once from one client address.
    pub per_address: usize,
    /// From `accept` until the first request's headers are in.
    pub first_request: Duration,
    /// With no request in flight, a connection is closed after this long.
    pub idle: Duration,
    /// Peers whose connections carry other clients' requests: no per-address share.
    pub trusted_proxies: Arc<[IpAddr]>,
}

impl Default for ConnectionPolicy {
    fn default() -> Self {
        Self {
            max: crate::MAX_CONNECTIONS,
            per_address: 256,
            first_request: crate::HEADER_READ_TIMEOUT,
            idle: Duration::from_secs(60),
            trusted_proxies: Arc::from([]),
        }
    }
}

/// Counters an operator reads (the partner server exports them as metrics).
#[derive(Debug, Default)]
pub struct ConnectionStats {
    /// Connections open now.
    pub open: AtomicU64,
    pub accepted_total: AtomicU64,
    /// Refused at `accept`: every connection in the way was busy.
    pub refused_total: AtomicU64,
    /// Closed, idle, to make room for a newer one.
    pub evicted_total: AtomicU64,
    /// Closed because no request came in time, or none came for `idle`.
    pub timed_out_total: AtomicU64,
}

struct Entry {
    address: Option<IpAddr>,
    accepted: Instant,
    /// Requests in flight; 0 is idle.
    busy: usize,
    started: bool,
    idle_since: Instant,
    close: Arc<Notify>,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    entries: HashMap<u64, Entry>,
    per_address: HashMap<IpAddr, usize>,
}

impl Table {
    /// The oldest idle connection of `address` (or of any address when `None`).
    fn oldest_idle(&self, address: Option<IpAddr>) -> Option<u64> {
        self.entries
            .iter()
            .filter(|(_, entry)| entry.busy == 0 && (address.is_none() || entry.address == address))
            .min_by_key(|(_, entry)| entry.idle_since.max(entry.accepted))
            .map(|(id, _)| *id)
    }

    /// The oldest connection that served a request and now waits for another.
    fn oldest_kept_alive(&self) -> Option<u64> {
        self.entries
            .iter()
            .filter(|(_, entry)| entry.busy == 0 && entry.started)
            .min_by_key(|(_, entry)| entry.idle_since)
            .map(|(id, _)| *id)
    }

    fn evict(&mut self, id: u64) {
        if let Some(entry) = self.remove(id) {
            entry.close.notify_one();
        }
    }

    fn remove(&mut self, id: u64) -> Option<Entry> {
        let entry = self.entries.remove(&id)?;
        if let Some(address) = entry.address
            && let Some(count) = self.per_address.get_mut(&address)
        {
            *count -= 1;
            if *count == 0 {
                self.per_address.remove(&address);
            }
        }
        Some(entry)
    }
}

/// The open connections: admission at `accept`, request tracking, and the deadlines.
#[derive(Clone)]
pub struct Connections {
    policy: Arc<ConnectionPolicy>,
    table: Arc<Mutex<Table>>,
    stats: Arc<ConnectionStats>,
}

/// One admitted connection: closing it is signalled through `close`; dropping it frees
/// its place.
pub struct Admitted {
    connections: Connections,
    id: u64,
    pub close: Arc<Notify>,
}

impl Connections {
    pub fn new(policy: ConnectionPolicy, stats: Arc<ConnectionStats>) -> Self {
        Self { policy: Arc::new(policy), table: Arc::default(), stats }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes room for a connection from `peer`, or refuses it (`None`).
    pub fn admit(&self, peer: IpAddr) -> Option<Admitted> {
        let address = (!self.policy.trusted_proxies.contains(&peer)).then(|| client_key(peer));
        let mut table = self.lock();
        if let Some(address) = address
            && table.per_address.get(&address).copied().unwrap_or(0) >= self.policy.per_address
        {
            let Some(id) = table.oldest_idle(Some(address)) else { return self.refuse() };
            table.evict(id);
            self.stats.evicted_total.fetch_add(1, Ordering::Relaxed);
        }
        if table.entries.len() >= self.policy.max {
            // The address holding the most gives up its oldest idle connection first; of
            // others, only a kept-alive one (never one whose first request may be arriving).
            let crowded = table.per_address.iter().max_by_key(|(_, count)| **count).map(|(address, _)| *address);
            let Some(id) = table.oldest_idle(crowded).or_else(|| table.oldest_kept_alive()) else {
                return self.refuse();
            };
            table.evict(id);
            self.stats.evicted_total.fetch_add(1, Ordering::Relaxed);
        }
        let id = table.next_id;
        table.next_id += 1;
        let now = Instant::now();
        let close = Arc::new(Notify::new());
        table.entries.insert(
            id,
            Entry { address, accepted: now, busy: 0, started: false, idle_since: now, close: close.clone() },
        );
        if let Some(address) = address {
            *table.per_address.entry(address).or_default() += 1;
        }
        self.stats.accepted_total.fetch_add(1, Ordering::Relaxed);
        self.stats.open.store(table.entries.len() as u64, Ordering::Relaxed);
        Some(Admitted { connections: self.clone(), id, close })
    }

    fn refuse(&self) -> Option<Admitted> {
        self.stats.refused_total.fetch_add(1, Ordering::Relaxed);
        None
    }
}

/// A request in flight on a connection, from its headers until its response is sent (or it
/// is cancelled): the connection is busy while one lives.
pub struct Busy(Arc<Admitted>);

impl Busy {
    pub fn new(admitted: Arc<Admitted>) -> Self {
        admitted.started();
        Self(admitted)
    }

    /// The response body, holding this guard until it is sent or dropped.
    pub fn until_sent(self, body: axum::body::Body) -> axum::body::Body {
        use http_body_util::BodyExt as _;
        axum::body::Body::new(body.map_frame(move |frame| {
            let _busy = &self;
            frame
        }))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.finished();
    }
}

impl Admitted {
    /// A request's headers are in: the connection is busy until [`Admitted::finished`].
    fn started(&self) {
        if let Some(entry) = self.connections.lock().entries.get_mut(&self.id) {
            entry.busy += 1;
            entry.started = true;
        }
    }

    fn finished(&self) {
        if let Some(entry) = self.connections.lock().entries.get_mut(&self.id) {
            entry.busy = entry.busy.saturating_sub(1);
            entry.idle_since = Instant::now();
        }
    }

    /// Whether the connection is past its deadline: no first request in time, or idle too
    /// long. Counted once, when it says so.
    pub fn overdue(&self) -> bool {
        let policy = &self.connections.policy;
        let table = self.connections.lock();
        let Some(entry) = table.entries.get(&self.id) else { return true };
        let late = if !entry.started {
            entry.accepted.elapsed() >= policy.first_request
        } else {
            entry.busy == 0 && entry.idle_since.elapsed() >= policy.idle
        };
        if late {
            self.connections.stats.timed_out_total.fetch_add(1, Ordering::Relaxed);
        }
        late
    }

    /// How often [`Admitted::overdue`] is worth asking.
    pub fn check_every(&self) -> Duration {
        let policy = &self.connections.policy;
        (policy.first_request.min(policy.idle) / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut table = self.connections.lock();
        table.remove(self.id);
        self.connections.stats.open.store(table.entries.len() as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max: usize, per_address: usize) -> ConnectionPolicy {
        ConnectionPolicy { max, per_address, ..ConnectionPolicy::default() }
    }

    #[test]
    fn a_full_address_gives_up_its_oldest_idle_connection_and_never_a_busy_one() {
        let stats = Arc::new(ConnectionStats::default());
        let connections = Connections::new(policy(100, 2), stats.clone());
        let ip: IpAddr = "127.0.0.2".parse().expect("ip");
        let busy = connections.admit(ip).expect("first");
        busy.started();
        let idle = connections.admit(ip).expect("second");
        let newest = connections.admit(ip).expect("third evicts the idle one");
        assert!(idle.overdue(), "evicted: gone from the table");
        assert!(!busy.overdue());
        newest.started();
        assert!(connections.admit(ip).is_none(), "both busy: refused");
        assert!(connections.admit("127.0.0.3".parse().expect("ip")).is_some(), "another address still gets in");
        assert_eq!(stats.evicted_total.load(Ordering::Relaxed), 1);
        assert_eq!(stats.refused_total.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_full_server_takes_room_from_the_address_holding_the_most() {
        let connections = Connections::new(policy(3, 10), Arc::default());
        let hoarder: IpAddr = "127.0.0.2".parse().expect("ip");
        let held: Vec<_> = (0..2).map(|_| connections.admit(hoarder).expect("admit")).collect();
        let other = connections.admit("127.0.0.3".parse().expect("ip")).expect("admit");
        let newcomer = connections.admit("127.0.0.4".parse().expect("ip"));
        assert!(newcomer.is_some());
        assert!(held[0].overdue() && !held[1].overdue() && !other.overdue(), "the hoarder's oldest went");
    }

    #[test]
    fn a_trusted_proxy_has_no_per_address_share() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let connections = Connections::new(
            ConnectionPolicy { trusted_proxies: Arc::from([proxy]), ..policy(100, 1) },
            Arc::default(),
        );
        let first = connections.admit(proxy).expect("admit");
        first.started();
        assert!(connections.admit(proxy).is_some());
    }
}

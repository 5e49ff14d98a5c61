//! Leaky buckets per key with bounded memory, the one mechanism behind every per-caller
//! limit: failed credentials (`staff::throttle`) and anonymous writes such as visitor
//! analytics and leads ([`AddressRate`]). On a PostgreSQL store shared by several servers
//! the same buckets are also kept in the database ([`SharedBuckets`]), so a caller spreading
//! requests over the servers is counted once. Each count decays evenly over its window, so a
//! limit of 10 per 15 minutes lets one more through every 90 seconds once the bucket is full.
//!
//! At most `capacity` keys are tracked; when a new one arrives at the cap, the one updated
//! longest ago is forgotten. IPv6 clients are counted per /64, the block one subscriber
//! usually holds.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::Store;
use crate::error::Error;
use crate::limits::canonical;

/// Decaying counts per key, at most `capacity` keys.
#[derive(Debug)]
pub struct LeakyBuckets<K> {
    limit: u32,
    window: Duration,
    capacity: usize,
    entries: HashMap<K, Entry>,
    /// Keys by the sequence number of their last update, oldest first.
    by_age: BTreeMap<u64, K>,
    next_sequence: u64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    level: f64,
    updated: Instant,
    sequence: u64,
}

impl<K: Clone + Eq + Hash> LeakyBuckets<K> {
    pub fn new(limit: u32, window: Duration, capacity: usize) -> LeakyBuckets<K> {
        LeakyBuckets {
            limit: limit.max(1),
            window: window.max(Duration::from_millis(1)),
            capacity: capacity.max(1),
            entries: HashMap::new(),
            by_age: BTreeMap::new(),
            next_sequence: 0,
        }
    }

    /// Counts that drain per second.
    fn drain_rate(&self) -> f64 {
        f64::from(self.limit) / self.window.as_secs_f64()
    }

    fn level_at(&self, entry: &Entry, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(entry.updated).as_secs_f64();
        (entry.level - elapsed * self.drain_rate()).max(0.0)
    }

    /// `None` when `key` may try again now, otherwise how long it must wait.
    pub fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let entry = self.entries.get(key)?;
        let level = self.level_at(entry, now);
        let allowed = f64::from(self.limit) - 1.0;
        (level > allowed).then(|| Duration::from_secs_f64((level - allowed) / self.drain_rate()))
    }

    /// Counts one more for `key`.
    pub fn add(&mut self, key: K, now: Instant) {
        let level = match self.entries.get(&key) {
            Some(entry) => {
                let level = self.level_at(entry, now);
                self.by_age.remove(&entry.sequence);
                level
            }
            None => {
                while self.entries.len() >= self.capacity {
                    let Some((_, oldest)) = self.by_age.pop_first() else {
                        break;
                    };
                    self.entries.remove(&oldest);
                }
                0.0
            }
        };
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.by_age.insert(sequence, key.clone());
        self.entries.insert(
            key,
            Entry {
                level: level + 1.0,
                updated: now,
                sequence,
            },
        );
    }

    /// Forgets `key` (a successful sign-in clears its name).
    pub fn forget(&mut self, key: &K) {
        if let Some(entry) = self.entries.remove(key) {
            self.by_age.remove(&entry.sequence);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The key an address is counted under: IPv4 as it is, IPv6 by its /64.
pub fn address_key(address: IpAddr) -> IpAddr {
    match canonical(address) {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

/// The lock of shared counts; a panic while holding it leaves counts that are still usable.
pub fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Leaky buckets of one `scope` kept in the store, counted by every server on it: the same
/// arithmetic as [`LeakyBuckets`], one atomic statement per count. Buckets idle for twice
/// their window (drained empty long since) are swept as counts arrive.
#[derive(Debug)]
pub struct SharedBuckets {
    store: Store,
    scope: &'static str,
    limit: u32,
    window: Duration,
    counted: std::sync::atomic::AtomicU32,
    /// The store's bucket secret, read once.
    secret: tokio::sync::OnceCell<String>,
}

/// How many counts a server adds between two sweeps of a scope's idle buckets.
const SWEEP_EVERY: u32 = 256;

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

impl SharedBuckets {
    pub fn new(store: Store, scope: &'static str, limit: u32, window: Duration) -> SharedBuckets {
        SharedBuckets {
            store,
            scope,
            limit: limit.max(1),
            window: window.max(Duration::from_millis(1)),
            counted: std::sync::atomic::AtomicU32::new(0),
            secret: tokio::sync::OnceCell::new(),
        }
    }

    /// The row key of `key`: a digest keyed with the store's secret, so the table never holds
    /// an address or a name (and rows are swept once drained).
    async fn row_key(&self, key: &str) -> Result<String, Error> {
        use sha2::{Digest as _, Sha256};
        let secret = self
            .secret
            .get_or_try_init(|| async {
                let fresh = hex::encode(crate::secret::random_bytes::<32>()?);
                self.store.rate_bucket_secret(&fresh).await
            })
            .await?;
        let mut digest = Sha256::new();
        digest.update(secret.as_bytes());
        digest.update([0]);
        digest.update(key.as_bytes());
        Ok(hex::encode(&digest.finalize()[..16]))
    }

    fn drain_per_ms(&self) -> f64 {
        f64::from(self.limit) / (self.window.as_secs_f64() * 1000.0)
    }

    /// `None` when `key` may try again now, otherwise how long it must wait.
    pub async fn wait(&self, key: &str) -> Result<Option<Duration>, Error> {
        let key = self.row_key(key).await?;
        let Some((level, updated_ms)) = self.store.rate_bucket(self.scope, &key).await? else {
            return Ok(None);
        };
        let elapsed = (unix_ms() - updated_ms).max(0) as f64;
        let level = (level - elapsed * self.drain_per_ms()).max(0.0);
        let allowed = f64::from(self.limit) - 1.0;
        Ok((level > allowed)
            .then(|| Duration::from_secs_f64((level - allowed) / (self.drain_per_ms() * 1000.0))))
    }

    /// Counts one more for `key`.
    pub async fn add(&self, key: &str) -> Result<(), Error> {
        let key = self.row_key(key).await?;
        let now = unix_ms();
        self.store
            .add_to_rate_bucket(self.scope, &key, self.drain_per_ms(), now)
            .await?;
        let counted = self
            .counted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if counted % SWEEP_EVERY == SWEEP_EVERY - 1 {
            let idle = i64::try_from(self.window.as_millis() * 2).unwrap_or(i64::MAX);
            self.store
                .sweep_rate_buckets(self.scope, now.saturating_sub(idle))
                .await?;
        }
        Ok(())
    }

    /// Forgets `key`.
    pub async fn forget(&self, key: &str) -> Result<(), Error> {
        let key = self.row_key(key).await?;
        self.store.forget_rate_bucket(self.scope, &key).await
    }
}

/// A limit's buckets: this server's own and, on a shared store, the store's as well. A key
/// must wait as long as the longer of the two says.
#[derive(Debug)]
pub struct Rate<K> {
    local: Mutex<LeakyBuckets<K>>,
    shared: Option<SharedBuckets>,
}

impl<K: Clone + Eq + Hash + std::fmt::Display> Rate<K> {
    /// `limit` per `window` per key, at most `capacity` keys in memory; `shared` names the
    /// store and scope when several servers share a PostgreSQL store.
    pub fn new(
        limit: u32,
        window: Duration,
        capacity: usize,
        shared: Option<(&Store, &'static str)>,
    ) -> Rate<K> {
        Rate {
            local: Mutex::new(LeakyBuckets::new(limit, window, capacity)),
            shared: shared
                .map(|(store, scope)| SharedBuckets::new(store.clone(), scope, limit, window)),
        }
    }

    pub async fn wait(&self, key: &K) -> Result<Option<Duration>, Error> {
        let local = locked(&self.local).wait(key, Instant::now());
        let shared = match &self.shared {
            Some(shared) => shared.wait(&key.to_string()).await?,
            None => None,
        };
        Ok(local.max(shared))
    }

    pub async fn add(&self, key: K) -> Result<(), Error> {
        let text = self.shared.as_ref().map(|_| key.to_string());
        locked(&self.local).add(key, Instant::now());
        if let (Some(shared), Some(text)) = (&self.shared, text) {
            shared.add(&text).await?;
        }
        Ok(())
    }

    pub async fn forget(&self, key: &K) -> Result<(), Error> {
        locked(&self.local).forget(key);
        if let Some(shared) = &self.shared {
            shared.forget(&key.to_string()).await?;
        }
        Ok(())
    }

    /// How many keys this server tracks in memory.
    pub fn tracked(&self) -> usize {
        locked(&self.local).len()
    }
}

/// A rate limit on one kind of anonymous request per client address: `limit` requests per
/// `window`, then 429 with the wait, naming `what` was limited.
#[derive(Debug)]
pub struct AddressRate {
    what: &'static str,
    buckets: Rate<IpAddr>,
}

impl AddressRate {
    /// `shared`: the store and scope under which servers sharing a PostgreSQL store count
    /// together (none: this server alone).
    pub fn new(
        what: &'static str,
        limit: u32,
        window: Duration,
        capacity: usize,
        shared: Option<(&Store, &'static str)>,
    ) -> AddressRate {
        AddressRate {
            what,
            buckets: Rate::new(limit, window, capacity, shared),
        }
    }

    /// Counts one request from `address`, or refuses it with 429 when the address is over
    /// its limit (a refused request is not counted). An unknown address (no `ConnectInfo`)
    /// is not limited.
    pub async fn admit(&self, address: Option<IpAddr>) -> Result<(), Error> {
        let Some(address) = address else {
            return Ok(());
        };
        let key = address_key(address);
        if let Some(wait) = self.buckets.wait(&key).await? {
            return Err(Error::TooManyRequests {
                message: format!(
                    "too many {} from your address; try again in {} s",
                    self.what,
                    wait.as_secs().max(1)
                ),
                retry_after: wait,
            });
        }
        self.buckets.add(key).await
    }

    /// How many addresses are tracked now.
    pub fn tracked(&self) -> usize {
        self.buckets.tracked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_block_at_the_limit_and_decay_over_the_window() {
        let start = Instant::now();
        let mut counts = LeakyBuckets::new(10, Duration::from_secs(900), 100);
        for _ in 0..9 {
            counts.add("ada", start);
        }
        assert_eq!(counts.wait(&"ada", start), None);
        counts.add("ada", start);
        let wait = counts.wait(&"ada", start).expect("blocked at 10 failures");
        assert!((89..=90).contains(&wait.as_secs()), "{wait:?}");
        // One failure drains every 90 s: after that, one more attempt is allowed.
        assert_eq!(counts.wait(&"ada", start + Duration::from_secs(91)), None);
        counts.add("ada", start + Duration::from_secs(91));
        assert!(
            counts
                .wait(&"ada", start + Duration::from_secs(91))
                .is_some()
        );
        // After the whole window everything has drained.
        assert_eq!(counts.wait(&"ada", start + Duration::from_secs(1000)), None);
        assert_eq!(counts.wait(&"bob", start), None);
    }

    #[test]
    fn the_number_of_keys_is_capped_and_the_oldest_go_first() {
        let start = Instant::now();
        let mut counts = LeakyBuckets::new(1, Duration::from_secs(900), 3);
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            counts.add(key, start + Duration::from_secs(i as u64));
        }
        // "a" is refreshed, so "b" is now the oldest.
        counts.add("a", start + Duration::from_secs(5));
        counts.add("d", start + Duration::from_secs(6));
        assert_eq!(counts.len(), 3);
        let now = start + Duration::from_secs(7);
        assert!(counts.wait(&"a", now).is_some());
        assert_eq!(counts.wait(&"b", now), None);
        assert!(counts.wait(&"c", now).is_some());
        assert!(counts.wait(&"d", now).is_some());
        for i in 0..10_000 {
            counts.add(if i % 2 == 0 { "x" } else { "y" }, now);
        }
        assert_eq!(counts.len(), 3);
        assert_eq!(counts.by_age.len(), 3);
        counts.forget(&"x");
        assert_eq!((counts.len(), counts.by_age.len()), (2, 2));
    }

    #[test]
    fn ipv6_clients_are_counted_per_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[tokio::test]
    async fn an_address_rate_admits_up_to_its_limit_and_stays_bounded() {
        // 3 per 300 ms: one more drains every 100 ms.
        let rate = AddressRate::new("event batches", 3, Duration::from_millis(300), 100, None);
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            rate.admit(Some(here)).await.unwrap();
        }
        let refused = rate.admit(Some(here)).await.unwrap_err();
        assert_eq!(refused.code(), "too_many_requests");
        assert!(refused.to_string().contains("event batches"), "{refused}");
        assert!(rate.admit(Some("192.0.2.2".parse().unwrap())).await.is_ok());
        assert!(rate.admit(None).await.is_ok());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(rate.admit(Some(here)).await.is_ok());
        for i in 0..1000u32 {
            let address = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            rate.admit(Some(address)).await.unwrap();
        }
        assert_eq!(rate.tracked(), 100);
    }

    /// Two servers' rates over one store count a caller together: what one admitted, the
    /// other counts, and the limit holds across both.
    #[tokio::test]
    async fn servers_sharing_a_store_count_an_address_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let window = Duration::from_secs(3600);
        let one = AddressRate::new("leads", 4, window, 100, Some((&store, "leads")));
        let two = AddressRate::new("leads", 4, window, 100, Some((&store, "leads")));
        let caller: IpAddr = "2001:db8:1:2::7".parse().unwrap();
        let neighbour: IpAddr = "2001:db8:1:2::8".parse().unwrap();
        one.admit(Some(caller)).await.unwrap();
        two.admit(Some(neighbour)).await.unwrap(); // the same /64
        one.admit(Some(caller)).await.unwrap();
        two.admit(Some(caller)).await.unwrap();
        let refused = one.admit(Some(caller)).await.unwrap_err();
        assert_eq!(refused.code(), "too_many_requests");
        assert!(
            refused
                .retry_after()
                .is_some_and(|wait| wait > Duration::from_secs(800))
        );
        assert!(two.admit(Some(caller)).await.is_err());
        // Another scope is another count.
        let other = AddressRate::new("events", 4, window, 100, Some((&store, "events")));
        assert!(other.admit(Some(caller)).await.is_ok());
        // The table holds keyed digests, not the address.
        let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM rate_buckets")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(keys.len(), 2);
        for key in keys {
            assert_eq!(key.len(), 32);
            assert!(!key.contains("2001"), "{key}");
        }
    }
}

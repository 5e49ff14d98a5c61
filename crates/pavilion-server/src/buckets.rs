//! Leaky buckets per key with bounded memory, the one mechanism behind every per-caller
//! limit: failed credentials (`staff::throttle`) and anonymous writes such as visitor
//! analytics and leads ([`AddressRate`]). Each count decays evenly over its window, so a
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

/// A rate limit on one kind of anonymous request per client address: `limit` requests per
/// `window`, then 429 with the wait, naming `what` was limited.
#[derive(Debug)]
pub struct AddressRate {
    what: &'static str,
    buckets: Mutex<LeakyBuckets<IpAddr>>,
}

impl AddressRate {
    pub fn new(what: &'static str, limit: u32, window: Duration, capacity: usize) -> AddressRate {
        AddressRate {
            what,
            buckets: Mutex::new(LeakyBuckets::new(limit, window, capacity)),
        }
    }

    /// Counts one request from `address`, or refuses it with 429 when the address is over
    /// its limit (a refused request is not counted). An unknown address (no `ConnectInfo`)
    /// is not limited.
    pub fn admit(&self, address: Option<IpAddr>) -> Result<(), Error> {
        self.admit_at(address, Instant::now())
    }

    fn admit_at(&self, address: Option<IpAddr>, now: Instant) -> Result<(), Error> {
        let Some(address) = address else {
            return Ok(());
        };
        let key = address_key(address);
        let mut buckets = locked(&self.buckets);
        if let Some(wait) = buckets.wait(&key, now) {
            return Err(Error::TooManyRequests {
                message: format!(
                    "too many {} from your address; try again in {} s",
                    self.what,
                    wait.as_secs().max(1)
                ),
                retry_after: wait,
            });
        }
        buckets.add(key, now);
        Ok(())
    }

    /// How many addresses are tracked now.
    pub fn tracked(&self) -> usize {
        locked(&self.buckets).len()
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

    #[test]
    fn an_address_rate_admits_up_to_its_limit_and_stays_bounded() {
        let rate = AddressRate::new("event batches", 3, Duration::from_secs(60), 100);
        let start = Instant::now();
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            rate.admit_at(Some(here), start).unwrap();
        }
        let refused = rate.admit_at(Some(here), start).unwrap_err();
        assert_eq!(refused.code(), "too_many_requests");
        assert!(refused.to_string().contains("event batches"), "{refused}");
        assert!(
            rate.admit_at(Some("192.0.2.2".parse().unwrap()), start)
                .is_ok()
        );
        assert!(rate.admit_at(None, start).is_ok());
        // One request drains every 20 s.
        assert!(
            rate.admit_at(Some(here), start + Duration::from_secs(21))
                .is_ok()
        );
        for i in 0..1000u32 {
            let address = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            rate.admit_at(Some(address), start).unwrap();
        }
        assert_eq!(rate.tracked(), 100);
    }
}

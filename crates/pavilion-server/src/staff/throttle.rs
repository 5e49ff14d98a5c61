//! Throttling of credential guessing: failed staff sign-ins count against the account name
//! and the client address, bad bearer tokens (staff or exhibitor) against the address. Each
//! count decays evenly over the failure window (a leaky bucket), so 10 failures per 15
//! minutes means one more attempt every 90 seconds once the bucket is full. A full bucket
//! answers 429 with the time until the next attempt is allowed.
//!
//! Memory is bounded: at most `failure_keys` names and as many addresses are tracked; when
//! a new one arrives at the cap, the one updated longest ago is forgotten. IPv6 clients are
//! counted per /64, the block one subscriber usually holds.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::limits::{Limits, canonical};

/// Decaying failure counts per key, at most `capacity` keys.
#[derive(Debug)]
pub struct FailureCounts<K> {
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

impl<K: Clone + Eq + Hash> FailureCounts<K> {
    pub fn new(limit: u32, window: Duration, capacity: usize) -> FailureCounts<K> {
        FailureCounts {
            limit: limit.max(1),
            window: window.max(Duration::from_millis(1)),
            capacity: capacity.max(1),
            entries: HashMap::new(),
            by_age: BTreeMap::new(),
            next_sequence: 0,
        }
    }

    /// Failures that drain per second.
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

    /// Counts one failure for `key`.
    pub fn fail(&mut self, key: K, now: Instant) {
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

    /// Forgets `key` (after a successful sign-in).
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

/// The failure counts of one server: per staff name and per client address.
#[derive(Debug)]
pub struct Throttle {
    names: Mutex<FailureCounts<String>>,
    addresses: Mutex<FailureCounts<IpAddr>>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves counts that are still usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn too_many(wait: Duration) -> Error {
    Error::TooManyRequests {
        message: format!(
            "too many failed attempts; try again in {} s",
            wait.as_secs().max(1)
        ),
        retry_after: wait,
    }
}

impl Throttle {
    pub fn new(limits: &Limits) -> Throttle {
        Throttle {
            names: Mutex::new(FailureCounts::new(
                limits.failures_per_name,
                limits.failure_window,
                limits.failure_keys,
            )),
            addresses: Mutex::new(FailureCounts::new(
                limits.failures_per_address,
                limits.failure_window,
                limits.failure_keys,
            )),
        }
    }

    /// 429 when the address (if known) has failed too often.
    pub fn check_address(&self, address: Option<IpAddr>) -> Result<(), Error> {
        let Some(address) = address else {
            return Ok(());
        };
        match locked(&self.addresses).wait(&address_key(address), Instant::now()) {
            Some(wait) => Err(too_many(wait)),
            None => Ok(()),
        }
    }

    /// 429 when the name or the address has failed too often.
    pub fn check_sign_in(&self, name: Option<&str>, address: Option<IpAddr>) -> Result<(), Error> {
        self.check_address(address)?;
        if let Some(name) = name
            && let Some(wait) = locked(&self.names).wait(&name.to_owned(), Instant::now())
        {
            return Err(too_many(wait));
        }
        Ok(())
    }

    /// Counts a failure against the address and, when it is a well-formed name, the name.
    pub fn failed(&self, name: Option<&str>, address: Option<IpAddr>) {
        let now = Instant::now();
        if let Some(address) = address {
            locked(&self.addresses).fail(address_key(address), now);
        }
        if let Some(name) = name {
            locked(&self.names).fail(name.to_owned(), now);
        }
    }

    /// A successful sign-in clears the name's failures (not the address's).
    pub fn succeeded(&self, name: &str) {
        locked(&self.names).forget(&name.to_owned());
    }

    /// How many names and addresses are tracked now.
    pub fn tracked(&self) -> (usize, usize) {
        (locked(&self.names).len(), locked(&self.addresses).len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_block_at_the_limit_and_decay_over_the_window() {
        let start = Instant::now();
        let mut counts = FailureCounts::new(10, Duration::from_secs(900), 100);
        for _ in 0..9 {
            counts.fail("ada", start);
        }
        assert_eq!(counts.wait(&"ada", start), None);
        counts.fail("ada", start);
        let wait = counts.wait(&"ada", start).expect("blocked at 10 failures");
        assert!((89..=90).contains(&wait.as_secs()), "{wait:?}");
        // One failure drains every 90 s: after that, one more attempt is allowed.
        assert_eq!(counts.wait(&"ada", start + Duration::from_secs(91)), None);
        counts.fail("ada", start + Duration::from_secs(91));
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
        let mut counts = FailureCounts::new(1, Duration::from_secs(900), 3);
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            counts.fail(key, start + Duration::from_secs(i as u64));
        }
        // "a" is refreshed, so "b" is now the oldest.
        counts.fail("a", start + Duration::from_secs(5));
        counts.fail("d", start + Duration::from_secs(6));
        assert_eq!(counts.len(), 3);
        let now = start + Duration::from_secs(7);
        assert!(counts.wait(&"a", now).is_some());
        assert_eq!(counts.wait(&"b", now), None);
        assert!(counts.wait(&"c", now).is_some());
        assert!(counts.wait(&"d", now).is_some());
        for i in 0..10_000 {
            counts.fail(if i % 2 == 0 { "x" } else { "y" }, now);
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
    fn the_throttle_answers_429_with_the_wait() {
        let limits = Limits {
            failures_per_name: 2,
            failures_per_address: 3,
            ..Limits::default()
        };
        let throttle = Throttle::new(&limits);
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        let there: IpAddr = "192.0.2.2".parse().unwrap();
        throttle.failed(Some("ada"), Some(here));
        throttle.failed(Some("ada"), Some(there));
        let error = throttle
            .check_sign_in(Some("ada"), Some("192.0.2.3".parse().unwrap()))
            .unwrap_err();
        assert_eq!(error.code(), "too_many_requests");
        assert!(
            error
                .retry_after()
                .is_some_and(|wait| wait > Duration::ZERO)
        );
        throttle.succeeded("ada");
        assert!(throttle.check_sign_in(Some("ada"), Some(here)).is_ok());
        throttle.failed(None, Some(here));
        throttle.failed(None, Some(here));
        assert!(throttle.check_address(Some(here)).is_err());
        assert!(throttle.check_address(Some(there)).is_ok());
        assert!(throttle.check_address(None).is_ok());
    }
}

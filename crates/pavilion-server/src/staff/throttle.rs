//! Throttling of credential guessing: failed staff sign-ins count against the account name
//! and the client address, bad bearer tokens (staff or exhibitor) against the address. Each
//! count decays evenly over the failure window (a leaky bucket), so 10 failures per 15
//! minutes means one more attempt every 90 seconds once the bucket is full. A full bucket
//! answers 429 with the time until the next attempt is allowed.
//!
//! Memory is bounded: at most `failure_keys` names and as many addresses are tracked
//! ([`LeakyBuckets`]); IPv6 clients are counted per /64.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::buckets::{LeakyBuckets, address_key, locked};
use crate::error::Error;
use crate::limits::Limits;

/// The failure counts of one server: per staff name and per client address.
#[derive(Debug)]
pub struct Throttle {
    names: Mutex<LeakyBuckets<String>>,
    addresses: Mutex<LeakyBuckets<IpAddr>>,
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
            names: Mutex::new(LeakyBuckets::new(
                limits.failures_per_name,
                limits.failure_window,
                limits.failure_keys,
            )),
            addresses: Mutex::new(LeakyBuckets::new(
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
            locked(&self.addresses).add(address_key(address), now);
        }
        if let Some(name) = name {
            locked(&self.names).add(name.to_owned(), now);
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

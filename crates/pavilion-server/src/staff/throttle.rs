//! Throttling of credential guessing: failed staff sign-ins count against the account name
//! and the client address, bad bearer tokens (staff or exhibitor) against the address. Each
//! count decays evenly over the failure window (a leaky bucket), so 10 failures per 15
//! minutes means one more attempt every 90 seconds once the bucket is full. A full bucket
//! answers 429 with the time until the next attempt is allowed.
//!
//! Memory is bounded: at most `failure_keys` names and as many addresses are tracked
//! ([`LeakyBuckets`]); IPv6 clients are counted per /64.

use std::net::IpAddr;
use std::time::Duration;

use crate::buckets::{Rate, address_key};
use crate::db::Store;
use crate::error::Error;
use crate::limits::Limits;

/// The failure counts per staff name and per client address: this server's, and on a
/// PostgreSQL store shared by several servers, the store's too.
#[derive(Debug)]
pub struct Throttle {
    names: Rate<String>,
    addresses: Rate<IpAddr>,
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
    /// `shared`: the store several servers share, whose counts they all add to.
    pub fn new(limits: &Limits, shared: Option<&Store>) -> Throttle {
        Throttle {
            names: Rate::new(
                limits.failures_per_name,
                limits.failure_window,
                limits.failure_keys,
                shared.map(|store| (store, "failed_sign_ins_by_name")),
            ),
            addresses: Rate::new(
                limits.failures_per_address,
                limits.failure_window,
                limits.failure_keys,
                shared.map(|store| (store, "failures_by_address")),
            ),
        }
    }

    /// 429 when the address (if known) has failed too often.
    pub async fn check_address(&self, address: Option<IpAddr>) -> Result<(), Error> {
        let Some(address) = address else {
            return Ok(());
        };
        match self.addresses.wait(&address_key(address)).await? {
            Some(wait) => Err(too_many(wait)),
            None => Ok(()),
        }
    }

    /// 429 when the name or the address has failed too often.
    pub async fn check_sign_in(
        &self,
        name: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<(), Error> {
        self.check_address(address).await?;
        if let Some(name) = name
            && let Some(wait) = self.names.wait(&name.to_owned()).await?
        {
            return Err(too_many(wait));
        }
        Ok(())
    }

    /// Counts a failure against the address and, when it is a well-formed name, the name.
    pub async fn failed(&self, name: Option<&str>, address: Option<IpAddr>) -> Result<(), Error> {
        if let Some(address) = address {
            self.addresses.add(address_key(address)).await?;
        }
        if let Some(name) = name {
            self.names.add(name.to_owned()).await?;
        }
        Ok(())
    }

    /// A successful sign-in clears the name's failures (not the address's).
    pub async fn succeeded(&self, name: &str) -> Result<(), Error> {
        self.names.forget(&name.to_owned()).await
    }

    /// How many names and addresses this server tracks in memory now.
    pub fn tracked(&self) -> (usize, usize) {
        (self.names.tracked(), self.addresses.tracked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exercise(throttle: &Throttle) {
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        let there: IpAddr = "192.0.2.2".parse().unwrap();
        throttle.failed(Some("ada"), Some(here)).await.unwrap();
        throttle.failed(Some("ada"), Some(there)).await.unwrap();
        let error = throttle
            .check_sign_in(Some("ada"), Some("192.0.2.3".parse().unwrap()))
            .await
            .unwrap_err();
        assert_eq!(error.code(), "too_many_requests");
        assert!(
            error
                .retry_after()
                .is_some_and(|wait| wait > Duration::ZERO)
        );
        throttle.succeeded("ada").await.unwrap();
        assert!(
            throttle
                .check_sign_in(Some("ada"), Some(here))
                .await
                .is_ok()
        );
        throttle.failed(None, Some(here)).await.unwrap();
        throttle.failed(None, Some(here)).await.unwrap();
        assert!(throttle.check_address(Some(here)).await.is_err());
        assert!(throttle.check_address(Some(there)).await.is_ok());
        assert!(throttle.check_address(None).await.is_ok());
    }

    fn limits() -> Limits {
        Limits {
            failures_per_name: 2,
            failures_per_address: 3,
            ..Limits::default()
        }
    }

    #[tokio::test]
    async fn the_throttle_answers_429_with_the_wait() {
        exercise(&Throttle::new(&limits(), None)).await;
    }

    /// With a shared store, failures counted by one server refuse the next attempt on
    /// another, and a success on one clears the name for both.
    #[tokio::test]
    async fn servers_sharing_a_store_throttle_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        exercise(&Throttle::new(&limits(), Some(&store))).await;
        let one = Throttle::new(&limits(), Some(&store));
        let two = Throttle::new(&limits(), Some(&store));
        let address: IpAddr = "198.51.100.4".parse().unwrap();
        one.failed(Some("grace"), Some(address)).await.unwrap();
        two.failed(Some("grace"), None).await.unwrap();
        assert!(one.check_sign_in(Some("grace"), None).await.is_err());
        assert!(two.check_sign_in(Some("grace"), None).await.is_err());
        two.succeeded("grace").await.unwrap();
        assert!(one.check_sign_in(Some("grace"), None).await.is_ok());
    }
}

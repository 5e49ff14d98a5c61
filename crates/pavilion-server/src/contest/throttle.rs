//! The contest's rate limits per client address: nickname registrations per hour and play
//! requests (start, read, answer) per minute, each a leaky bucket ([`Rate`], like every
//! per-caller limit, counted across servers on a shared PostgreSQL store) with the same bound
//! on tracked addresses. Requests without a known address (not through the accept loop)
//! share one bucket.

use std::net::IpAddr;
use std::time::Duration;

use crate::buckets::{Rate, address_key};
use crate::db::Store;
use crate::error::Error;
use crate::limits::Limits;

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct ContestThrottle {
    nicknames: Rate<String>,
    plays: Rate<String>,
}

impl ContestThrottle {
    /// `shared`: the store several servers share, whose counts they all add to.
    pub fn new(limits: &Limits, shared: Option<&Store>) -> ContestThrottle {
        ContestThrottle {
            nicknames: Rate::new(
                limits.contest_nicknames_per_hour,
                HOUR,
                limits.failure_keys,
                shared.map(|store| (store, "contest_nicknames")),
            ),
            plays: Rate::new(
                limits.contest_requests_per_minute,
                MINUTE,
                limits.failure_keys,
                shared.map(|store| (store, "contest_plays")),
            ),
        }
    }

    /// Counts a nickname registration from `address`, or refuses it with 429.
    pub async fn register(&self, address: Option<IpAddr>) -> Result<(), Error> {
        take(&self.nicknames, address, "nicknames").await
    }

    /// Counts a play request from `address`, or refuses it with 429.
    pub async fn play(&self, address: Option<IpAddr>) -> Result<(), Error> {
        take(&self.plays, address, "contest requests").await
    }
}

async fn take(bucket: &Rate<String>, address: Option<IpAddr>, what: &str) -> Result<(), Error> {
    let key = address
        .map(address_key)
        .map_or_else(|| "unknown".to_owned(), |address| address.to_string());
    if let Some(wait) = bucket.wait(&key).await? {
        let seconds = wait.as_secs().max(1);
        return Err(Error::TooManyRequests {
            message: format!("too many {what} from your address; try again in {seconds} s"),
            retry_after: Duration::from_secs(seconds),
        });
    }
    bucket.add(key).await
}

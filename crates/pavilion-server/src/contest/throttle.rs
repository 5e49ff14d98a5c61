//! The contest's rate limits per client address: nickname registrations per hour and play
//! requests (start, read, answer) per minute, each a leaky bucket ([`LeakyBuckets`], like
//! every per-caller limit) with the same bound on tracked addresses. Requests without a known
//! address (not through the accept loop) share one bucket.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::buckets::{LeakyBuckets, address_key, locked};
use crate::error::Error;
use crate::limits::Limits;

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct ContestThrottle {
    nicknames: Mutex<LeakyBuckets<Option<IpAddr>>>,
    plays: Mutex<LeakyBuckets<Option<IpAddr>>>,
}

impl ContestThrottle {
    pub fn new(limits: &Limits) -> ContestThrottle {
        ContestThrottle {
            nicknames: Mutex::new(LeakyBuckets::new(
                limits.contest_nicknames_per_hour,
                HOUR,
                limits.failure_keys,
            )),
            plays: Mutex::new(LeakyBuckets::new(
                limits.contest_requests_per_minute,
                MINUTE,
                limits.failure_keys,
            )),
        }
    }

    /// Counts a nickname registration from `address`, or refuses it with 429.
    pub fn register(&self, address: Option<IpAddr>) -> Result<(), Error> {
        take(&self.nicknames, address, "nicknames")
    }

    /// Counts a play request from `address`, or refuses it with 429.
    pub fn play(&self, address: Option<IpAddr>) -> Result<(), Error> {
        take(&self.plays, address, "contest requests")
    }
}

fn take(
    bucket: &Mutex<LeakyBuckets<Option<IpAddr>>>,
    address: Option<IpAddr>,
    what: &str,
) -> Result<(), Error> {
    let key = address.map(address_key);
    let now = Instant::now();
    let mut counts = locked(bucket);
    if let Some(wait) = counts.wait(&key, now) {
        let seconds = wait.as_secs().max(1);
        return Err(Error::TooManyRequests {
            message: format!("too many {what} from your address; try again in {seconds} s"),
            retry_after: Duration::from_secs(seconds),
        });
    }
    counts.add(key, now);
    Ok(())
}

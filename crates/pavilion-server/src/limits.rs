//! Every bound the server puts on a caller (connections, time, upload rate, concurrency,
//! sign-in failures, anonymous writes) in one [`Limits`] struct, read from flags and environment variables, and
//! the proxies whose `X-Forwarded-For` is believed ([`TrustedProxies`]).
//!
//! The defaults suit one machine facing the internet on day one of a security week; each
//! number is named here once and the layers above take it from `AppState`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Error;

/// Limits on every connection and request; `pavilion --help` lists each flag.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct Limits {
    /// Open connections at most; one more waits `--connection-wait`, then is closed.
    #[arg(long, env = "PAVILION_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// How long a connection over `--max-connections` waits for a free slot.
    #[arg(long, env = "PAVILION_CONNECTION_WAIT", default_value = "500ms", value_parser = parse_duration)]
    pub connection_wait: Duration,
    /// A client must send a request's whole header within this (also the idle keep-alive).
    #[arg(long, env = "PAVILION_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// Deadline of a request (body read and handler) other than an upload.
    #[arg(long, env = "PAVILION_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Deadline of a media upload, body included.
    #[arg(long, env = "PAVILION_UPLOAD_TIMEOUT", default_value = "30m", value_parser = parse_duration)]
    pub upload_timeout: Duration,
    /// An upload slower than this many bytes per second over `--upload-rate-window` is cut.
    #[arg(long, env = "PAVILION_MIN_UPLOAD_RATE", default_value_t = 16 * 1024)]
    pub min_upload_rate: u64,
    /// The window the upload rate is averaged over (also the grace at the start).
    #[arg(long, env = "PAVILION_UPLOAD_RATE_WINDOW", default_value = "30s", value_parser = parse_duration)]
    pub upload_rate_window: Duration,
    /// Uploads at the same time; more get 503 with Retry-After.
    #[arg(long, env = "PAVILION_MAX_UPLOADS", default_value_t = 4)]
    pub max_uploads: usize,
    /// Staff sign-ins in progress at the same time (body read included); more wait
    /// `--sign-in-wait`, then get 503 with Retry-After.
    #[arg(long, env = "PAVILION_MAX_SIGN_INS", default_value_t = 8)]
    pub max_sign_ins: usize,
    /// Password hashes (Argon2id, about 19 MiB each) computed at the same time.
    #[arg(long, env = "PAVILION_MAX_PASSWORD_HASHES", default_value_t = 2)]
    pub max_password_hashes: usize,
    /// How long a sign-in waits for a slot or a hash before it is answered 503.
    #[arg(long, env = "PAVILION_SIGN_IN_WAIT", default_value = "3s", value_parser = parse_duration)]
    pub sign_in_wait: Duration,
    /// Failed sign-ins per account name within `--failure-window` before 429.
    #[arg(long, env = "PAVILION_FAILURES_PER_NAME", default_value_t = 10)]
    pub failures_per_name: u32,
    /// Failed sign-ins and bad bearer tokens per client address within `--failure-window`.
    #[arg(long, env = "PAVILION_FAILURES_PER_ADDRESS", default_value_t = 30)]
    pub failures_per_address: u32,
    /// The window failures are counted over; they decay evenly across it.
    #[arg(long, env = "PAVILION_FAILURE_WINDOW", default_value = "15m", value_parser = parse_duration)]
    pub failure_window: Duration,
    /// Names and addresses tracked at most by each per-caller count (failures, event batches,
    /// leads); the oldest are forgotten first.
    #[arg(long, env = "PAVILION_FAILURE_KEYS", default_value_t = 10_000)]
    pub failure_keys: usize,
    /// Analytics batches (`POST /api/v1/events`) per client address per minute before 429.
    #[arg(long, env = "PAVILION_EVENT_BATCHES_PER_MINUTE", default_value_t = 30)]
    pub event_batches_per_minute: u32,
    /// Leads left for booths per client address per hour before 429.
    #[arg(long, env = "PAVILION_LEADS_PER_HOUR", default_value_t = 10)]
    pub leads_per_hour: u32,
    /// Contest nicknames one client address may register per hour.
    #[arg(
        long,
        env = "PAVILION_CONTEST_NICKNAMES_PER_HOUR",
        default_value_t = 10
    )]
    pub contest_nicknames_per_hour: u32,
    /// Contest requests (starting an attempt, reading a question, answering) one client
    /// address may make per minute.
    #[arg(
        long,
        env = "PAVILION_CONTEST_REQUESTS_PER_MINUTE",
        default_value_t = 120
    )]
    pub contest_requests_per_minute: u32,
    /// After SIGTERM, how long open requests may take before the server exits anyway.
    #[arg(long, env = "PAVILION_SHUTDOWN_GRACE", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            connection_wait: Duration::from_millis(500),
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(30 * 60),
            min_upload_rate: 16 * 1024,
            upload_rate_window: Duration::from_secs(30),
            max_uploads: 4,
            max_sign_ins: 8,
            max_password_hashes: 2,
            sign_in_wait: Duration::from_secs(3),
            failures_per_name: 10,
            failures_per_address: 30,
            failure_window: Duration::from_secs(15 * 60),
            failure_keys: 10_000,
            event_batches_per_minute: 30,
            leads_per_hour: 10,
            contest_nicknames_per_hour: 10,
            contest_requests_per_minute: 120,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A duration as `250ms`, `10s`, `15m` or `1h`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 500ms, 10s, 15m or 1h"))?;
    let seconds = |factor: u64| Duration::from_secs(number.saturating_mul(factor));
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(number)),
        "" | "s" => Ok(seconds(1)),
        "m" => Ok(seconds(60)),
        "h" => Ok(seconds(3600)),
        other => Err(format!(
            "{other:?} is not a unit of time: use ms, s, m or h"
        )),
    }
}

/// One address or a CIDR block, such as `10.0.0.7`, `10.0.0.0/8` or `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Result<IpRange, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or CIDR block"))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("{text:?} has a prefix length outside 0..={bits}"))?,
        };
        Ok(IpRange { network, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => same_prefix(
                u128::from(network.to_bits()),
                u128::from(address.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(network.to_bits(), address.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, bits: u8, prefix: u8) -> bool {
    let host_bits = u32::from(bits - prefix);
    (a ^ b).checked_shr(host_bits).unwrap_or(0) == 0
}

/// An IPv4 address mapped into IPv6 (`::ffff:1.2.3.4`, as a dual-stack socket reports it) is
/// the IPv4 address.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The proxies in front of the server whose `X-Forwarded-For` is believed. Empty by
/// default: the client is the TCP peer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpRange>);

impl TrustedProxies {
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A bound on how many of one kind of work run at once: a caller waits up to `wait` for a
/// slot, then gets 503 with Retry-After. Waiting callers hold no more than their future.
#[derive(Debug, Clone)]
pub struct Gate {
    slots: Arc<Semaphore>,
    wait: Duration,
    what: &'static str,
}

impl Gate {
    /// `what` names the work in the refusal: "uploads", "sign-ins".
    pub fn new(slots: usize, wait: Duration, what: &'static str) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
            what,
        }
    }

    /// A slot, held until the permit is dropped.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, Error> {
        let slot = match self.slots.clone().try_acquire_owned() {
            Ok(slot) => Ok(slot),
            Err(_) if self.wait.is_zero() => Err(()),
            Err(_) => tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
                .await
                .map_err(|_| ())
                .and_then(|slot| slot.map_err(|_| ())),
        };
        slot.map_err(|()| Error::Busy {
            message: format!(
                "the server is handling as many {} as it allows; try again shortly",
                self.what
            ),
            retry_after: self.wait.max(Duration::from_secs(1)),
        })
    }

    /// Slots free now.
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["", "s", "10d", "-1s", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ip_ranges_match_their_members_only() {
        let range = IpRange::parse("10.1.0.0/16").unwrap();
        assert!(range.contains("10.1.200.3".parse().unwrap()));
        assert!(range.contains("::ffff:10.1.0.1".parse().unwrap()));
        assert!(!range.contains("10.2.0.1".parse().unwrap()));
        assert!(!range.contains("::1".parse().unwrap()));
        let one = IpRange::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all = IpRange::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let v6 = IpRange::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", "::/129"] {
            assert!(IpRange::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_full_gate_answers_busy_after_its_wait() {
        let gate = Gate::new(1, Duration::from_millis(50), "uploads");
        let held = gate.enter().await.unwrap();
        let started = std::time::Instant::now();
        let error = gate.enter().await.unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(error.code(), "busy");
        assert!(error.to_string().contains("uploads"), "{error}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
        drop(held);
        assert!(gate.enter().await.is_ok());
    }

    #[test]
    fn the_defaults_are_the_flags_defaults() {
        use clap::Parser as _;
        #[derive(clap::Parser)]
        struct Probe {
            #[command(flatten)]
            limits: Limits,
        }
        assert_eq!(Probe::parse_from(["probe"]).limits, Limits::default());
    }
}

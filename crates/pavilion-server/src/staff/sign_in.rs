//! Staff sign-in as the API offers it: throttled per name and per client address, the
//! password's length checked before any hashing, hashing bounded, and every failure logged
//! and audited (with the name tried and the address; an unknown name has no staff id).

use std::net::IpAddr;

use crate::db::{FailedSignIn, Store};
use crate::error::Error;
use crate::limits::{Gate, Limits};
use crate::staff::accounts::{
    self, IssuedSession, MAX_PASSWORD_BYTES, Verdict, check_name, wrong_credentials,
};
use crate::staff::throttle::Throttle;

/// The shared state of sign-in protection: failure counts and the password-hash bound.
#[derive(Debug)]
pub struct SignInGuard {
    pub throttle: Throttle,
    pub hashes: Gate,
}

impl SignInGuard {
    pub fn new(limits: &Limits, shared: Option<&Store>) -> SignInGuard {
        SignInGuard {
            throttle: Throttle::new(limits, shared),
            hashes: Gate::new(limits.max_password_hashes, limits.sign_in_wait, "sign-ins"),
        }
    }
}

/// Signs a staff member in from `address` (`None` when the server cannot tell).
pub async fn sign_in(
    store: &Store,
    guard: &SignInGuard,
    name: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<IssuedSession, Error> {
    // Only a well-formed name (at most 64 characters) can be an account: only those are
    // counted by name, so a flood of long junk names cannot fill the counts with big keys.
    let well_formed = check_name(name).is_ok();
    let counted = well_formed.then_some(name);
    if let Err(refusal) = guard.throttle.check_sign_in(counted, address).await {
        tracing::debug!(name = ?shortened(name), ?address, "staff sign-in throttled");
        return Err(refusal);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        failed(store, guard, None, name, address, "password_too_long").await;
        return Err(Error::BadRequest(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if !well_formed {
        failed(store, guard, None, name, address, "malformed_name").await;
        return Err(wrong_credentials());
    }
    match accounts::check_credentials(store, &guard.hashes, name, password).await? {
        Verdict::Match(staff) => {
            guard.throttle.succeeded(name).await?;
            accounts::open_session(store, staff).await
        }
        Verdict::WrongPassword(staff) => {
            failed(
                store,
                guard,
                Some(staff.id),
                name,
                address,
                "wrong_password",
            )
            .await;
            Err(wrong_credentials())
        }
        Verdict::UnknownName => {
            failed(store, guard, None, name, address, "unknown_name").await;
            Err(wrong_credentials())
        }
    }
}

/// At most 64 characters of what a caller sent, for logs and the audit log.
fn shortened(name: &str) -> String {
    name.chars().take(64).collect()
}

/// Counts, logs and audits one failure. An audit row that cannot be written is logged as an
/// error; the caller still gets its 401.
async fn failed(
    store: &Store,
    guard: &SignInGuard,
    staff_id: Option<i64>,
    name: &str,
    address: Option<IpAddr>,
    reason: &str,
) {
    let counted = check_name(name).is_ok().then_some(name);
    if let Err(error) = guard.throttle.failed(counted, address).await {
        tracing::error!(%error, "could not count a failed sign-in in the store");
    }
    let name = shortened(name);
    tracing::warn!(name = ?name, ?address, reason, "staff sign-in failed");
    let attempt = FailedSignIn {
        staff_id,
        name: &name,
        address,
        reason,
    };
    if let Err(error) = store.record_failed_sign_in(&attempt).await {
        tracing::error!(%error, "cannot audit a failed sign-in");
    }
}

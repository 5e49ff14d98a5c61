//! Upload admission: one upload at a time per exhibitor token, and each booth's byte quota,
//! reserved before an upload streams (its `Content-Length`, or the largest upload allowed
//! when it sends none) and released when the upload ends, however it ends.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use crate::error::UploadError;

/// The uploads under way: which tokens are uploading and how many bytes each booth reserved.
#[derive(Debug, Default)]
pub struct UploadGate {
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    tokens: HashSet<i64>,
    reserved: HashMap<String, u64>,
}

/// What one booth asks for: `wanted` more bytes on top of the `stored` bytes of its draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation<'a> {
    pub token_id: i64,
    pub slug: &'a str,
    pub stored: u64,
    pub wanted: u64,
    pub quota: u64,
}

/// An admitted upload; dropping it (success, refusal, error or a dropped request) frees the
/// token and the booth's reservation.
#[derive(Debug)]
pub struct UploadPermit<'a> {
    gate: &'a UploadGate,
    token_id: i64,
    slug: String,
    wanted: u64,
}

impl UploadGate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Admits an upload, or refuses it when the token already has one under way
    /// ([`UploadError::Busy`]) or the booth's stored and reserved bytes leave no room
    /// ([`UploadError::QuotaExceeded`]).
    pub fn admit(&self, ask: Reservation<'_>) -> Result<UploadPermit<'_>, UploadError> {
        let mut state = self.lock();
        if state.tokens.contains(&ask.token_id) {
            return Err(UploadError::Busy);
        }
        let in_flight = state.reserved.get(ask.slug).copied().unwrap_or(0);
        let used = ask.stored.saturating_add(in_flight);
        if used.saturating_add(ask.wanted) > ask.quota {
            return Err(UploadError::QuotaExceeded {
                quota: ask.quota,
                used,
                wanted: ask.wanted,
            });
        }
        state.tokens.insert(ask.token_id);
        *state.reserved.entry(ask.slug.to_owned()).or_default() += ask.wanted;
        Ok(UploadPermit {
            gate: self,
            token_id: ask.token_id,
            slug: ask.slug.to_owned(),
            wanted: ask.wanted,
        })
    }

    /// Bytes reserved by the booth's uploads under way.
    pub fn reserved(&self, slug: &str) -> u64 {
        self.lock().reserved.get(slug).copied().unwrap_or(0)
    }
}

impl Drop for UploadPermit<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.tokens.remove(&self.token_id);
        if let Some(reserved) = state.reserved.get_mut(&self.slug) {
            *reserved = reserved.saturating_sub(self.wanted);
            if *reserved == 0 {
                state.reserved.remove(&self.slug);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(token_id: i64, stored: u64, wanted: u64) -> Reservation<'static> {
        Reservation {
            token_id,
            slug: "kestrel-ward",
            stored,
            wanted,
            quota: 100,
        }
    }

    #[test]
    fn one_upload_per_token_and_reservations_count_against_the_quota() {
        let gate = UploadGate::default();
        let first = gate.admit(ask(1, 10, 50)).unwrap();
        assert!(matches!(gate.admit(ask(1, 10, 1)), Err(UploadError::Busy)));
        // Another token of the same booth: 10 stored + 50 reserved + 50 > 100.
        let refused = gate.admit(ask(2, 10, 50)).unwrap_err();
        assert!(
            matches!(
                refused,
                UploadError::QuotaExceeded {
                    used: 60,
                    wanted: 50,
                    ..
                }
            ),
            "{refused:?}"
        );
        let second = gate.admit(ask(2, 10, 40)).unwrap();
        assert_eq!(gate.reserved("kestrel-ward"), 90);
        drop(first);
        drop(second);
        assert_eq!(gate.reserved("kestrel-ward"), 0);
        assert!(gate.admit(ask(1, 10, 90)).is_ok(), "released on drop");
    }
}
